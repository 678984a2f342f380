/**
 * Word lists for the synthetic demo portfolio (demo-portfolio.ts). Weights are rough shares, not
 * statistics: they only make the common cases common (王/李/张 surnames, big-city addresses).
 */

export interface Weighted { readonly weight: number }

/** A surname or given-name character with its pinyin, so that e-mail local parts look like real ones. */
export interface NamePart extends Weighted { readonly hanzi: string; readonly pinyin: string }

const parts = (list: readonly (readonly [string, string, number])[]): readonly NamePart[] =>
  list.map(([hanzi, pinyin, weight]) => ({ hanzi, pinyin, weight }));

/** Common surnames weighted roughly by frequency (per ten thousand people), plus a few compound ones. */
export const SURNAMES: readonly NamePart[] = parts([
  ['王', 'wang', 725], ['李', 'li', 719], ['张', 'zhang', 690], ['刘', 'liu', 538], ['陈', 'chen', 461],
  ['杨', 'yang', 308], ['黄', 'huang', 220], ['赵', 'zhao', 210], ['吴', 'wu', 195], ['周', 'zhou', 185],
  ['徐', 'xu', 160], ['孙', 'sun', 154], ['马', 'ma', 152], ['朱', 'zhu', 142], ['胡', 'hu', 131],
  ['郭', 'guo', 118], ['何', 'he', 117], ['林', 'lin', 113], ['高', 'gao', 112], ['罗', 'luo', 108],
  ['郑', 'zheng', 104], ['梁', 'liang', 100], ['谢', 'xie', 85], ['宋', 'song', 78], ['唐', 'tang', 76],
  ['许', 'xu', 74], ['韩', 'han', 72], ['冯', 'feng', 70], ['邓', 'deng', 69], ['曹', 'cao', 68],
  ['彭', 'peng', 64], ['曾', 'zeng', 63], ['肖', 'xiao', 62], ['田', 'tian', 60], ['董', 'dong', 58],
  ['袁', 'yuan', 56], ['潘', 'pan', 55], ['于', 'yu', 54], ['蒋', 'jiang', 53], ['蔡', 'cai', 52],
  ['余', 'yu', 51], ['杜', 'du', 50], ['叶', 'ye', 49], ['程', 'cheng', 48], ['苏', 'su', 47],
  ['魏', 'wei', 46], ['吕', 'lv', 45], ['丁', 'ding', 44], ['任', 'ren', 43], ['沈', 'shen', 42],
  ['欧阳', 'ouyang', 8], ['司马', 'sima', 2], ['诸葛', 'zhuge', 1],
]);

/** Given-name characters that lean male; the national id's sequence digit parity follows the choice. */
export const GIVEN_MALE: readonly NamePart[] = parts([
  ['伟', 'wei', 9], ['强', 'qiang', 6], ['磊', 'lei', 6], ['军', 'jun', 6], ['勇', 'yong', 5], ['杰', 'jie', 6],
  ['涛', 'tao', 5], ['斌', 'bin', 4], ['超', 'chao', 4], ['明', 'ming', 6], ['刚', 'gang', 4], ['平', 'ping', 4],
  ['辉', 'hui', 5], ['鹏', 'peng', 4], ['华', 'hua', 5], ['飞', 'fei', 4], ['鑫', 'xin', 3], ['波', 'bo', 4],
  ['宇', 'yu', 5], ['浩', 'hao', 5], ['凯', 'kai', 3], ['健', 'jian', 3], ['俊', 'jun', 4], ['帆', 'fan', 2],
  ['旭', 'xu', 3], ['宁', 'ning', 2], ['龙', 'long', 4], ['建', 'jian', 5], ['国', 'guo', 5], ['峰', 'feng', 4],
  ['志', 'zhi', 5], ['博', 'bo', 3], ['阳', 'yang', 3], ['轩', 'xuan', 3], ['然', 'ran', 2], ['泽', 'ze', 3],
  ['睿', 'rui', 2], ['昊', 'hao', 2],
]);

/** Given-name characters that lean female. */
export const GIVEN_FEMALE: readonly NamePart[] = parts([
  ['芳', 'fang', 8], ['娜', 'na', 6], ['敏', 'min', 6], ['静', 'jing', 7], ['丽', 'li', 7], ['艳', 'yan', 5],
  ['娟', 'juan', 5], ['霞', 'xia', 5], ['秀', 'xiu', 4], ['玲', 'ling', 5], ['燕', 'yan', 5], ['婷', 'ting', 5],
  ['雪', 'xue', 4], ['慧', 'hui', 4], ['倩', 'qian', 4], ['琳', 'lin', 4], ['颖', 'ying', 4], ['晶', 'jing', 3],
  ['欣', 'xin', 4], ['怡', 'yi', 4], ['佳', 'jia', 4], ['梅', 'mei', 4], ['洁', 'jie', 3], ['萍', 'ping', 4],
  ['红', 'hong', 4], ['玉', 'yu', 4], ['兰', 'lan', 3], ['莉', 'li', 3], ['丹', 'dan', 3], ['蕾', 'lei', 2],
  ['媛', 'yuan', 2], ['萱', 'xuan', 2], ['涵', 'han', 3], ['瑶', 'yao', 2], ['璐', 'lu', 2],
]);

/** Characters used in names of either sex. */
export const GIVEN_NEUTRAL: readonly NamePart[] = parts([
  ['晨', 'chen', 3], ['嘉', 'jia', 3], ['子', 'zi', 4], ['思', 'si', 3], ['雨', 'yu', 3], ['安', 'an', 2],
  ['一', 'yi', 2], ['春', 'chun', 3], ['海', 'hai', 3], ['云', 'yun', 3], ['文', 'wen', 4], ['林', 'lin', 3],
]);

/**
 * County-level divisions: the real 6-digit administrative code (the resident id's first six digits),
 * the names used in addresses and a postal code in that district. Weights favour the big cities.
 */
export interface District extends Weighted {
  readonly code: string;
  readonly province: string;
  readonly city: string;
  readonly district: string;
  readonly postalCode: string;
  readonly timeZone: string;
}

const SHANGHAI_TIME = 'Asia/Shanghai';
const district = (
  code: string, province: string, city: string, name: string, postalCode: string, weight: number, timeZone = SHANGHAI_TIME,
): District => ({ code, province, city, district: name, postalCode, weight, timeZone });

/** Weights add up to 100, so Xinjiang (and with it Asia/Urumqi) is about 2% of customers. */
export const DISTRICTS: readonly District[] = [
  district('110105', '北京市', '北京市', '朝阳区', '100020', 6),
  district('110108', '北京市', '北京市', '海淀区', '100080', 5),
  district('120101', '天津市', '天津市', '和平区', '300041', 3),
  district('310115', '上海市', '上海市', '浦东新区', '200120', 6),
  district('310104', '上海市', '上海市', '徐汇区', '200030', 4),
  district('320102', '江苏省', '南京市', '玄武区', '210018', 5),
  district('330106', '浙江省', '杭州市', '西湖区', '310012', 5),
  district('350203', '福建省', '厦门市', '思明区', '361001', 4),
  district('370102', '山东省', '济南市', '历下区', '250014', 5),
  district('410105', '河南省', '郑州市', '金水区', '450003', 6),
  district('420106', '湖北省', '武汉市', '武昌区', '430061', 5),
  district('430104', '湖南省', '长沙市', '岳麓区', '410006', 5),
  district('440106', '广东省', '广州市', '天河区', '510630', 7),
  district('440305', '广东省', '深圳市', '南山区', '518052', 7),
  district('500103', '重庆市', '重庆市', '渝中区', '400010', 5),
  district('510107', '四川省', '成都市', '武侯区', '610041', 6),
  district('530102', '云南省', '昆明市', '五华区', '650032', 3),
  district('610113', '陕西省', '西安市', '雁塔区', '710061', 4),
  district('210102', '辽宁省', '沈阳市', '和平区', '110001', 3),
  district('230102', '黑龙江省', '哈尔滨市', '道里区', '150010', 2),
  district('340104', '安徽省', '合肥市', '蜀山区', '230031', 2),
  district('650102', '新疆维吾尔自治区', '乌鲁木齐市', '天山区', '830002', 2, 'Asia/Urumqi'),
];

export const STREETS: readonly string[] = [
  '人民路', '解放路', '中山路', '建设路', '和平路', '新华路', '文化路', '胜利路', '长江路', '黄河路',
  '滨江大道', '学府路', '科技路', '青年路', '光明街', '幸福路', '东风路', '朝阳路', '南京路', '北京路',
];

export const COMPOUNDS: readonly string[] = [
  '阳光花园', '锦绣家园', '幸福小区', '金色家园', '碧水苑', '翠湖小区', '世纪华府', '名苑', '世纪城', '新村',
];

/** Mobile number prefixes (first three digits) of the three carriers, including 170s virtual operators. */
export const MOBILE_PREFIXES: readonly string[] = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139',
  '150', '151', '152', '153', '155', '156', '157', '158', '159', '166',
  '170', '173', '175', '176', '177', '178',
  '180', '181', '182', '183', '184', '185', '186', '187', '188', '189', '198', '199',
];

/** Mail providers; qq.com addresses are the QQ number itself. */
export const EMAIL_DOMAINS: readonly string[] = ['qq.com', 'qq.com', '163.com', '126.com', 'sina.com', 'foxmail.com', '139.com', 'outlook.com'];

export const PAYMENT_CHANNELS = ['bank_transfer', 'alipay', 'wechat_pay', 'auto_debit', 'counter'] as const;
export type PaymentChannel = (typeof PAYMENT_CHANNELS)[number];

/** Channels customers pick for manual repayment; auto_debit is a per-account set-up, chosen separately. */
export const MANUAL_CHANNELS: readonly { channel: PaymentChannel; weight: number }[] = [
  { channel: 'alipay', weight: 35 },
  { channel: 'wechat_pay', weight: 30 },
  { channel: 'bank_transfer', weight: 30 },
  { channel: 'counter', weight: 5 },
];

/** Credit limit tiers in whole yuan: most cards sit at 10k–50k. */
export const CREDIT_LIMIT_TIERS: readonly { yuan: number; weight: number }[] = [
  { yuan: 5_000, weight: 10 }, { yuan: 8_000, weight: 10 }, { yuan: 10_000, weight: 16 }, { yuan: 15_000, weight: 12 },
  { yuan: 20_000, weight: 14 }, { yuan: 30_000, weight: 12 }, { yuan: 50_000, weight: 12 }, { yuan: 80_000, weight: 6 },
  { yuan: 100_000, weight: 5 }, { yuan: 150_000, weight: 2 }, { yuan: 200_000, weight: 1 },
];
