/**
 * Every area of the app. A new area (collector desk, approvals, strategy admin, template admin) is a
 * folder under src/areas/ with an index.ts defining it (see areas.ts), added here in one line.
 */
import type { Area } from './areas.ts';
import { dashboardArea } from '../areas/dashboard/index.ts';
import { portfolioArea } from '../areas/portfolio/index.ts';
import { analyticsArea } from '../areas/analytics/index.ts';
import { strategyArea } from '../areas/strategy/index.ts';
import { templatesArea } from '../areas/templates/index.ts';
import { deskArea } from '../areas/desk/index.ts';
import { supervisorArea } from '../areas/supervisor/index.ts';

export const AREAS: readonly Area[] = [dashboardArea, portfolioArea, deskArea, supervisorArea, analyticsArea, strategyArea, templatesArea];
