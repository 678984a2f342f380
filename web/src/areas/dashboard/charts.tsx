/**
 * ECharts, tree-shaken to what the dashboard draws (bars, lines and a heatmap on canvas), in a small React
 * wrapper: init on mount, the whole option replaced on change, resized with its box, disposed on unmount.
 * (echarts-for-react 3 imports tslib without declaring it, which echarts 6 no longer brings.)
 */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';

echarts.use([BarChart, HeatmapChart, LineChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, AriaComponent, CanvasRenderer]);

export function Chart({ option, height, label, testId }: { option: EChartsOption; height: number; label: string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    const element = box.current!;
    const instance = echarts.init(element, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, ...option }, { notMerge: true });
  }, [option]);
  return <div ref={box} role="img" aria-label={label} data-testid={testId} style={{ height, width: '100%' }} />;
}
