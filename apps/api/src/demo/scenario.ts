import type { DemoDepartment, DemoField, DemoPoint, DemoRound, DemoUser } from './scenario.types.js';

/*
 * The reference tour of docs/domain.md: 平城区, 2024, 机动式巡察 of 困难群众救助 and 基层执法.
 * Every person, unit head and text is invented. Findings are in scenario-findings.ts, leads in
 * scenario-leads.ts. The whole tour happens between 2024-08-20 and 2024-10-31:
 *
 *   08-20 plan · 08-21 fields · 08-22/23 points · 08-26 进驻 · findings and leads while on site
 *   09-24 报告 · 10-10 反馈 (last leads recorded that morning) · 10-12 集中整改 · … 10-31
 */

/** Every demo user signs in with this password (the demo runs on a local, embedded database). */
export const DEMO_PASSWORD = 'demo-2024';

export const DEMO_DEPARTMENTS: readonly DemoDepartment[] = [
  { key: 'minzheng', name: '区民政局', kind: 'bureau', head: '局长 刘振华', deputy: '副局长 高建民' },
  { key: 'yibao', name: '区医疗保障局', kind: 'bureau', head: '局长 陈国梁', deputy: '副局长 罗晓峰' },
  { key: 'jiaoyu', name: '区教育局', kind: 'bureau', head: '局长 宋文海', deputy: '副局长 孔德明' },
  { key: 'shijian', name: '区市场监督管理局', kind: 'bureau', head: '局长 黄立新', deputy: '副局长 杜明远' },
  { key: 'yingji', name: '区应急管理局', kind: 'bureau', head: '局长 王建勋', deputy: '副局长 江涛' },
  { key: 'zhifa', name: '区综合行政执法局', kind: 'bureau', head: '局长 林卫东', deputy: '副局长 严国栋' },
  { key: 'zhujian', name: '区住房和城乡建设局', kind: 'bureau', head: '局长 赵振宇', deputy: '副局长 秦永刚' },
  { key: 'canlian', name: '区残疾人联合会', kind: 'other', head: '理事长 吴淑琴', deputy: '副理事长 万丽君' },
  { key: 'xiaofang', name: '区消防救援大队', kind: 'other', head: '大队长 任志军', deputy: '副大队长 常凯' },
  { key: 'dongguan', name: '东关街道办事处', kind: 'subdistrict', head: '主任 徐海军', deputy: '副主任 孟庆华' },
  { key: 'xijie', name: '西街街道办事处', kind: 'subdistrict', head: '主任 周建平', deputy: '副主任 陶建新' },
  { key: 'nanjiao', name: '南郊街道办事处', kind: 'subdistrict', head: '主任 侯文斌', deputy: '副主任 黎志强' },
  { key: 'beiyuan', name: '北苑街道办事处', kind: 'subdistrict', head: '主任 范晓东', deputy: '副主任 白雪梅' },
  {
    key: 'xingfuli',
    name: '幸福里社区居民委员会',
    kind: 'community',
    parent: 'dongguan',
    head: '主任 潘玉兰',
    deputy: '副主任 杜文革',
  },
  {
    key: 'yangjiazhuang',
    name: '杨家庄村村民委员会',
    kind: 'community',
    parent: 'nanjiao',
    head: '主任 杨德旺',
    deputy: '副主任 杨春明',
  },
];

/** The official who plans the round, assigns, verifies, triages and transfers (units are registered by admin). */
export const DEMO_OFFICIAL = 'official';

const liaison = (username: string, displayName: string, department: string, featured = false): DemoUser => ({
  username,
  password: DEMO_PASSWORD,
  role: 'unit_liaison',
  displayName,
  department,
  featured,
});

export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: DEMO_OFFICIAL,
    password: DEMO_PASSWORD,
    role: 'official',
    displayName: '周文斌（区委巡察办）',
    featured: true,
  },
  {
    username: 'inspector.li',
    password: DEMO_PASSWORD,
    role: 'inspector',
    displayName: '李晓燕（区委第三巡察组组长）',
    featured: true,
  },
  {
    username: 'inspector.wang',
    password: DEMO_PASSWORD,
    role: 'inspector',
    displayName: '王海涛（区委第三巡察组）',
    featured: true,
  },
  liaison('liaison.minzheng', '陈丽（区民政局联络员）', 'minzheng', true),
  liaison('liaison.jiaoyu', '赵磊（区教育局联络员）', 'jiaoyu', true),
  {
    username: 'auditor',
    password: DEMO_PASSWORD,
    role: 'auditor',
    displayName: '孙志刚（区委巡察办监督检查室）',
    featured: true,
  },
  // Every unit that rectifies has its own liaison, as in a real tour.
  liaison('liaison.yibao', '马晓红（区医疗保障局联络员）', 'yibao'),
  liaison('liaison.shijian', '杜宏亮（区市场监督管理局联络员）', 'shijian'),
  liaison('liaison.yingji', '韩雪（区应急管理局联络员）', 'yingji'),
  liaison('liaison.zhifa', '钱志勇（区综合行政执法局联络员）', 'zhifa'),
  liaison('liaison.zhujian', '邱文杰（区住房和城乡建设局联络员）', 'zhujian'),
  liaison('liaison.canlian', '方敏（区残疾人联合会联络员）', 'canlian'),
  liaison('liaison.dongguan', '龚丽娜（东关街道联络员）', 'dongguan'),
  liaison('liaison.xijie', '石磊（西街街道联络员）', 'xijie'),
  liaison('liaison.nanjiao', '崔建华（南郊街道联络员）', 'nanjiao'),
  liaison('liaison.beiyuan', '姚晓明（北苑街道联络员）', 'beiyuan'),
];

export const DEMO_ROUND: DemoRound = {
  title: '平城区困难群众救助和基层执法领域机动式巡察',
  kind: 'mobile',
  scope:
    '聚焦困难群众救助领域和基层执法领域，重点监督区民政局、区医疗保障局、区教育局、区市场监督管理局、区应急管理局、区综合行政执法局及各街道办事处' +
    '落实惠民政策、规范执法行为情况，紧盯执法不规范、慢作为、不作为、乱作为等问题，"小切口"发现问题、"短平快"推动整改。',
  team: '区委第三巡察组',
  startsOn: '2024-08-26',
  endsOn: '2024-09-27',
  plannedAt: '08-20 09:30',
  milestones: [
    { step: 'StationRound', at: '08-26 09:00' },
    { step: 'ReportRound', at: '09-24 15:00' },
    { step: 'DeliverRoundFeedback', at: '10-10 15:00' },
    { step: 'StartRoundRectification', at: '10-12 09:00' },
  ],
};

/** The 9 focus fields (监督领域). */
export const DEMO_FIELDS: readonly DemoField[] = [
  { key: 'shipin', name: '校园食品安全', at: '08-21 10:00' },
  { key: 'jiuzhu', name: '社会救助', at: '08-21 10:02' },
  { key: 'yiliao', name: '医疗救助', at: '08-21 10:04' },
  { key: 'jiuzai', name: '救灾款物发放', at: '08-21 10:06' },
  { key: 'yeshi', name: '夏季夜市假劣肉制品', at: '08-21 10:08' },
  { key: 'diandongche', name: '电动车安全隐患', at: '08-21 10:10' },
  { key: 'zhifa', name: '基层综合执法', at: '08-21 10:12' },
  { key: 'canbu', name: '残疾人两项补贴', at: '08-21 10:14' },
  { key: 'ranqi', name: '城镇燃气安全', at: '08-21 10:16' },
];

const dept = (department: string, name: string) => ({ kind: 'department' as const, name, department });
const post = (name: string) => ({ kind: 'post' as const, name });
const person = (name: string) => ({ kind: 'person' as const, name });
const project = (name: string) => ({ kind: 'project' as const, name });

/** The 43 monitoring points (监督重点), each aimed 到部门、人、岗位、项目. Two were added after 进驻. */
export const DEMO_POINTS: readonly DemoPoint[] = [
  // 校园食品安全
  {
    key: 'shipin-1',
    field: 'shipin',
    title: '中小学食堂食材采购与进货查验',
    targets: [dept('jiaoyu', '区教育局'), post('学校食堂管理员'), project('中小学食堂"明厨亮灶"工程')],
    at: '08-22 09:10',
    by: 'inspector.li',
  },
  {
    key: 'shipin-2',
    field: 'shipin',
    title: '校外供餐单位资质与配送监管',
    targets: [dept('shijian', '区市场监督管理局'), project('学生营养餐配送项目')],
    at: '08-22 09:20',
    by: 'inspector.li',
  },
  {
    key: 'shipin-3',
    field: 'shipin',
    title: '学校负责人陪餐制度落实',
    targets: [post('中小学校长'), dept('jiaoyu', '区教育局')],
    at: '08-22 09:30',
    by: 'inspector.li',
  },
  {
    key: 'shipin-4',
    field: 'shipin',
    title: '校园周边食品经营户监督检查',
    targets: [dept('shijian', '区市场监督管理局'), dept('xijie', '西街街道办事处')],
    at: '08-28 16:00',
    by: 'inspector.li',
  },
  {
    key: 'shipin-5',
    field: 'shipin',
    title: '学校食堂承包经营招标与合同管理',
    targets: [project('2024年学校食堂承包经营招标项目'), person('区教育局后勤服务中心主任（郑某）')],
    at: '08-22 09:50',
    by: 'inspector.li',
  },
  // 社会救助
  {
    key: 'jiuzhu-1',
    field: 'jiuzhu',
    title: '最低生活保障对象认定与动态管理',
    targets: [dept('minzheng', '区民政局'), post('社会救助科科长')],
    at: '08-22 10:10',
    by: 'inspector.wang',
  },
  {
    key: 'jiuzhu-2',
    field: 'jiuzhu',
    title: '特困人员供养金按时足额发放',
    targets: [dept('minzheng', '区民政局'), dept('nanjiao', '南郊街道办事处')],
    at: '08-22 10:20',
    by: 'inspector.wang',
  },
  {
    key: 'jiuzhu-3',
    field: 'jiuzhu',
    title: '临时救助审批时限与"先行救助"',
    targets: [post('街道社会救助经办人员'), dept('dongguan', '东关街道办事处')],
    at: '08-22 10:30',
    by: 'inspector.wang',
  },
  {
    key: 'jiuzhu-4',
    field: 'jiuzhu',
    title: '"关系保""人情保"排查',
    targets: [person('幸福里社区党组织书记（刘某）'), dept('xingfuli', '幸福里社区居民委员会')],
    at: '08-22 10:40',
    by: 'inspector.wang',
  },
  {
    key: 'jiuzhu-5',
    field: 'jiuzhu',
    title: '低保资金社会化发放与账户管理',
    targets: [project('2024年城乡低保资金'), dept('minzheng', '区民政局')],
    at: '08-22 10:50',
    by: 'inspector.wang',
  },
  // 医疗救助
  {
    key: 'yiliao-1',
    field: 'yiliao',
    title: '困难群众参保资助政策落实',
    targets: [dept('yibao', '区医疗保障局'), project('困难群众参保资助项目')],
    at: '08-22 14:10',
    by: 'inspector.li',
  },
  {
    key: 'yiliao-2',
    field: 'yiliao',
    title: '医疗救助"一站式"结算',
    targets: [post('定点医疗机构医保结算窗口'), dept('yibao', '区医疗保障局')],
    at: '08-22 14:20',
    by: 'inspector.li',
  },
  {
    key: 'yiliao-3',
    field: 'yiliao',
    title: '重特大疾病医疗救助审核',
    targets: [post('医疗救助审核岗'), dept('yibao', '区医疗保障局')],
    at: '08-22 14:30',
    by: 'inspector.li',
  },
  {
    key: 'yiliao-4',
    field: 'yiliao',
    title: '定点医药机构违规使用医保基金',
    targets: [dept('yibao', '区医疗保障局'), project('2024年医保基金专项检查')],
    at: '08-22 14:40',
    by: 'inspector.li',
  },
  {
    key: 'yiliao-5',
    field: 'yiliao',
    title: '因病返贫致贫监测预警',
    targets: [dept('yibao', '区医疗保障局'), dept('minzheng', '区民政局')],
    at: '08-22 14:50',
    by: 'inspector.li',
  },
  // 救灾款物发放
  {
    key: 'jiuzai-1',
    field: 'jiuzai',
    title: '"7·18"暴雨灾后过渡期生活救助发放',
    targets: [project('"7·18"暴雨灾害救助资金'), dept('yingji', '区应急管理局')],
    at: '08-22 15:10',
    by: 'inspector.wang',
  },
  {
    key: 'jiuzai-2',
    field: 'jiuzai',
    title: '救灾物资入库出库台账',
    targets: [post('区救灾物资储备库管理员'), dept('yingji', '区应急管理局')],
    at: '08-22 15:20',
    by: 'inspector.wang',
  },
  {
    key: 'jiuzai-3',
    field: 'jiuzai',
    title: '倒损房屋恢复重建补助',
    targets: [project('倒损农房恢复重建项目'), dept('zhujian', '区住房和城乡建设局')],
    at: '08-22 15:30',
    by: 'inspector.wang',
  },
  {
    key: 'jiuzai-4',
    field: 'jiuzai',
    title: '冬春生活救助对象民主评议与公示',
    targets: [dept('nanjiao', '南郊街道办事处'), dept('yangjiazhuang', '杨家庄村村民委员会')],
    at: '08-22 15:40',
    by: 'inspector.wang',
  },
  {
    key: 'jiuzai-5',
    field: 'jiuzai',
    title: '救灾款物专账管理',
    targets: [dept('yingji', '区应急管理局'), post('区应急管理局财务负责人')],
    at: '08-22 15:50',
    by: 'inspector.wang',
  },
  // 夏季夜市假劣肉制品
  {
    key: 'yeshi-1',
    field: 'yeshi',
    title: '夜市摊点肉制品来源追溯',
    targets: [dept('shijian', '区市场监督管理局'), project('东关夜市')],
    at: '08-23 09:10',
    by: 'inspector.wang',
  },
  {
    key: 'yeshi-2',
    field: 'yeshi',
    title: '冷链肉品"黑作坊"查处',
    targets: [dept('shijian', '区市场监督管理局'), post('市场监管所所长')],
    at: '08-23 09:20',
    by: 'inspector.wang',
  },
  {
    key: 'yeshi-3',
    field: 'yeshi',
    title: '夜市经营秩序与占道管理',
    targets: [dept('zhifa', '区综合行政执法局'), dept('dongguan', '东关街道办事处')],
    at: '08-23 09:30',
    by: 'inspector.wang',
  },
  {
    key: 'yeshi-4',
    field: 'yeshi',
    title: '夜市食品快检室运行与结果公示',
    targets: [project('东关夜市食品快检室'), dept('shijian', '区市场监督管理局')],
    at: '08-23 09:40',
    by: 'inspector.wang',
  },
  {
    key: 'yeshi-5',
    field: 'yeshi',
    title: '食品投诉举报处置时效',
    targets: [post('12315投诉举报处置岗'), dept('shijian', '区市场监督管理局')],
    at: '08-23 09:50',
    by: 'inspector.wang',
  },
  // 电动车安全隐患
  {
    key: 'diandongche-1',
    field: 'diandongche',
    title: '居民小区电动自行车集中充电设施建设',
    targets: [project('2024年民生实事电动自行车充电设施项目'), dept('zhujian', '区住房和城乡建设局')],
    at: '08-23 10:10',
    by: 'inspector.li',
  },
  {
    key: 'diandongche-2',
    field: 'diandongche',
    title: '楼道堆放与"飞线"充电排查整治',
    targets: [dept('beiyuan', '北苑街道办事处'), dept('xiaofang', '区消防救援大队')],
    at: '08-23 10:20',
    by: 'inspector.li',
  },
  {
    key: 'diandongche-3',
    field: 'diandongche',
    title: '电动自行车及电池销售维修市场检查',
    targets: [dept('shijian', '区市场监督管理局'), post('电动自行车销售维修网点')],
    at: '08-23 10:30',
    by: 'inspector.li',
  },
  {
    key: 'diandongche-4',
    field: 'diandongche',
    title: '物业服务企业消防安全责任落实',
    targets: [dept('zhujian', '区住房和城乡建设局'), post('物业项目经理')],
    at: '08-23 10:40',
    by: 'inspector.li',
  },
  {
    key: 'diandongche-5',
    field: 'diandongche',
    title: '高层住宅电动车入户入梯管控',
    targets: [dept('xiaofang', '区消防救援大队'), dept('xijie', '西街街道办事处')],
    at: '08-28 16:10',
    by: 'inspector.li',
  },
  // 基层综合执法
  {
    key: 'zhifa-1',
    field: 'zhifa',
    title: '街道综合行政执法队执法规范化',
    targets: [dept('zhifa', '区综合行政执法局'), post('街道综合行政执法队队长')],
    at: '08-23 14:10',
    by: 'inspector.wang',
  },
  {
    key: 'zhifa-2',
    field: 'zhifa',
    title: '行政处罚自由裁量权行使',
    targets: [dept('zhifa', '区综合行政执法局'), post('法制审核岗')],
    at: '08-23 14:20',
    by: 'inspector.wang',
  },
  {
    key: 'zhifa-3',
    field: 'zhifa',
    title: '罚没款收缴与票据管理',
    targets: [dept('zhifa', '区综合行政执法局'), project('2024年罚没收入')],
    at: '08-23 14:30',
    by: 'inspector.wang',
  },
  {
    key: 'zhifa-4',
    field: 'zhifa',
    title: '违法建设查处',
    targets: [dept('nanjiao', '南郊街道办事处'), person('南郊街道综合行政执法中队中队长（胡某）')],
    at: '08-23 14:40',
    by: 'inspector.wang',
  },
  {
    key: 'zhifa-5',
    field: 'zhifa',
    title: '执法辅助人员管理',
    targets: [dept('zhifa', '区综合行政执法局'), post('执法辅助人员')],
    at: '08-23 14:50',
    by: 'inspector.wang',
  },
  // 残疾人两项补贴
  {
    key: 'canbu-1',
    field: 'canbu',
    title: '困难残疾人生活补贴资格审核',
    targets: [dept('canlian', '区残疾人联合会'), dept('minzheng', '区民政局')],
    at: '08-23 15:10',
    by: 'inspector.li',
  },
  {
    key: 'canbu-2',
    field: 'canbu',
    title: '重度残疾人护理补贴发放',
    targets: [dept('canlian', '区残疾人联合会'), post('街道残联专职委员')],
    at: '08-23 15:20',
    by: 'inspector.li',
  },
  {
    key: 'canbu-3',
    field: 'canbu',
    title: '残疾人死亡后补贴停发',
    targets: [dept('canlian', '区残疾人联合会'), dept('minzheng', '区民政局')],
    at: '08-23 15:30',
    by: 'inspector.li',
  },
  {
    key: 'canbu-4',
    field: 'canbu',
    title: '残疾人辅助器具适配项目',
    targets: [project('2024年残疾人辅助器具适配项目'), dept('canlian', '区残疾人联合会')],
    at: '08-23 15:40',
    by: 'inspector.li',
  },
  // 城镇燃气安全
  {
    key: 'ranqi-1',
    field: 'ranqi',
    title: '餐饮场所燃气泄漏报警装置安装',
    targets: [dept('zhujian', '区住房和城乡建设局'), dept('shijian', '区市场监督管理局')],
    at: '08-23 16:10',
    by: 'inspector.wang',
  },
  {
    key: 'ranqi-2',
    field: 'ranqi',
    title: '瓶装液化气充装站与配送车辆管理',
    targets: [dept('zhujian', '区住房和城乡建设局'), project('瓶装液化气"气瓶追溯"系统')],
    at: '08-23 16:20',
    by: 'inspector.wang',
  },
  {
    key: 'ranqi-3',
    field: 'ranqi',
    title: '老旧燃气管网更新改造',
    targets: [project('2024年城市燃气管道老化更新改造项目'), dept('zhujian', '区住房和城乡建设局')],
    at: '08-23 16:30',
    by: 'inspector.wang',
  },
  {
    key: 'ranqi-4',
    field: 'ranqi',
    title: '燃气安全隐患排查整治"回头看"',
    targets: [dept('yingji', '区应急管理局'), dept('beiyuan', '北苑街道办事处')],
    at: '08-23 16:40',
    by: 'inspector.wang',
  },
];
