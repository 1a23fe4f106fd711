import {
  acknowledge,
  assign,
  dismiss,
  markOngoing,
  plan,
  progress,
  reject,
  reopen,
  requestClosure,
  verify,
  type DemoFinding,
} from './scenario.types.js';

/*
 * 37 problems (问题) recorded while the team was on site (08-26 … 09-24):
 *   立行立改 8 — 7 verified and closed (销号) on the spot, 1 waiting for verification;
 *   限期整改 15 — assigned, acknowledged, in progress, pending verification, closed; one closure
 *                rejected then fixed, one reopened by 回头看; every open one is past its due date;
 *   长期整改 9 — every state including 阶段性完成、持续整改; due dates in 2025 (overdue) and 2026/27;
 *   3 still waiting to be assigned, 2 dismissed after checking.
 */
export const DEMO_FINDINGS: readonly DemoFinding[] = [
  // ── 立行立改 ────────────────────────────────────────────────────────────────
  {
    key: 'I1', point: 'yeshi-1', department: 'shijian', category: '监管缺位', at: '08-27 21:30', by: 'inspector.wang',
    title: '东关夜市3家摊点销售的肉制品无进货票据、来源不明',
    description: '8月27日晚实地走访东关夜市，抽查18家熟食、烧烤摊点，其中3家销售的卤肉、烤串原料肉无法提供进货票据和检疫证明，东关市场监管所日常巡查记录均为"未发现问题"。',
    steps: [
      assign('08-28 09:00', 'immediate', '2024-09-05'),
      requestClosure('08-29 17:00', ['东关夜市3家摊点问题肉品下架封存记录.pdf', '涉事摊点进货查验承诺书.pdf']),
      verify('08-30 10:00'),
    ],
  },
  {
    key: 'I2', point: 'shipin-1', department: 'jiaoyu', category: '执行不严', at: '08-28 11:30', by: 'inspector.li',
    title: '城关第二小学食堂留样时间不足48小时、留样量不足',
    description: '8月28日抽查城关第二小学食堂，留样柜内仅存放当日午餐留样，前一日留样已提前清理，部分品种留样量不足125克。',
    steps: [
      assign('08-28 16:00', 'immediate', '2024-09-06'),
      acknowledge('08-28 17:30'),
      requestClosure('08-30 16:00', ['城关二小食堂留样记录（整改后）.jpg', '全区中小学食堂留样专项检查通报.pdf']),
      verify('08-31 10:00'),
    ],
  },
  {
    key: 'I3', point: 'diandongche-2', department: 'beiyuan', category: '不作为', at: '08-29 21:00', by: 'inspector.wang',
    title: '锦绣苑小区楼道堆放电动自行车12辆，存在"飞线"充电',
    description: '8月29日夜间走访北苑街道锦绣苑小区，3栋、5栋楼道共停放电动自行车12辆，2处从窗户拉线充电，社区消防巡查台账却记载"已整改"。',
    steps: [
      assign('08-30 09:00', 'immediate', '2024-09-06', { co: ['xiaofang'] }),
      requestClosure('08-31 18:00', ['锦绣苑小区楼道清理前后对比照片.jpg', '飞线充电拆除记录.pdf']),
      verify('09-02 10:00'),
    ],
  },
  {
    key: 'I4', point: 'jiuzhu-3', department: 'dongguan', category: '慢作为', at: '09-02 15:00', by: 'inspector.li',
    title: '东关街道2件急难型临时救助申请超过规定时限未办结',
    description: '调阅东关街道2024年临时救助台账，2件急难型临时救助申请受理后分别超过32天、41天未审批，申请人多次到街道询问。',
    steps: [
      assign('09-03 09:30', 'immediate', '2024-09-10'),
      acknowledge('09-03 14:00'),
      requestClosure('09-05 17:00', ['2件临时救助审批表及发放凭证.pdf', '临时救助办理时限提醒制度.pdf']),
      verify('09-06 11:00'),
    ],
  },
  {
    key: 'I5', point: 'jiuzai-2', department: 'yingji', category: '管理不规范', at: '09-04 10:30', by: 'inspector.wang',
    title: '救灾物资储备库出库单缺少领用人签字',
    description: '抽查区救灾物资储备库2024年出库单86份，其中17份无领用人签字、5份无审批人签字，"7·18"暴雨期间发放的折叠床、棉被去向无法逐一核对。',
    steps: [
      assign('09-04 16:00', 'immediate', '2024-09-13'),
      acknowledge('09-05 09:00'),
      requestClosure('09-06 17:30', ['补签出库单及物资去向核对表.xlsx', '救灾物资出入库管理办法（修订）.pdf']),
      verify('09-09 10:00'),
    ],
  },
  {
    key: 'I6', point: 'ranqi-1', department: 'zhujian', category: '监管缺位', at: '09-05 14:00', by: 'inspector.li',
    title: '西街美食街5家餐馆未安装燃气泄漏报警装置',
    description: '实地检查西街美食街使用管道燃气的12家餐馆，5家未安装可燃气体报警装置，2家燃气软管老化，住建部门年度检查记录均为"合格"。',
    steps: [
      assign('09-06 09:00', 'immediate', '2024-09-15', { co: ['shijian'] }),
      requestClosure('09-10 18:00', ['5家餐馆报警装置安装验收单.pdf', '燃气软管更换照片.jpg']),
      verify('09-11 10:00'),
    ],
  },
  {
    key: 'I7', point: 'zhifa-3', department: 'zhifa', category: '执行不严', at: '09-09 16:00', by: 'inspector.wang',
    title: '罚没款未及时缴入财政专户',
    description: '查阅区综合行政执法局2024年1—8月罚没款台账，有27笔、合计4.6万元罚没款在执法队账户滞留超过15日，最长达63天。',
    steps: [
      assign('09-10 09:00', 'immediate', '2024-09-20'),
      acknowledge('09-10 10:00'),
      requestClosure('09-12 17:00', ['罚没款缴库凭证.pdf', '罚没款收缴管理规定.pdf']),
      verify('09-13 11:00'),
    ],
  },
  {
    key: 'I8', point: 'yiliao-2', department: 'yibao', category: '执行不严', at: '09-11 11:00', by: 'inspector.li',
    title: '定点医院医保结算窗口未公示医疗救助政策和"一站式"结算流程',
    description: '走访区人民医院、区中医院医保结算窗口，均未公示医疗救助政策、救助比例和"一站式"结算流程，随访的3名困难群众不知道可以直接结算。',
    steps: [
      assign('09-12 09:00', 'immediate', '2024-09-20'),
      acknowledge('09-12 15:00'),
      requestClosure('10-28 16:00', ['两家医院结算窗口公示照片.jpg', '定点医疗机构公示情况检查表.pdf']),
    ],
  },

  // ── 限期整改 ────────────────────────────────────────────────────────────────
  {
    key: 'D1', point: 'zhifa-4', department: 'nanjiao', category: '不作为', at: '09-10 15:00', by: 'inspector.wang',
    title: '违法建设查处不力，3处违建作出拆除决定后超期未拆除',
    description: '南郊街道2023年立案查处的3处违法建设（合计约860平方米），作出限期拆除决定后逾期一年以上未强制执行，当事人已对外出租经营。',
    steps: [assign('10-14 10:00', 'deadline', '2024-11-30')],
  },
  {
    key: 'D2', point: 'canbu-3', department: 'canlian', category: '监管缺位', at: '09-12 10:00', by: 'inspector.li',
    title: '残疾人死亡后补贴未及时停发，多发补贴2.3万元',
    description: '比对2023年以来死亡人员信息与两项补贴发放名单，发现21名已死亡残疾人的补贴未及时停发，多发金额2.3万元，尚未追回。',
    steps: [assign('10-15 09:00', 'deadline', '2024-12-15', { co: ['minzheng'] })],
  },
  {
    key: 'D3', point: 'yiliao-3', department: 'yibao', category: '慢作为', at: '09-05 16:00', by: 'inspector.wang',
    title: '重特大疾病医疗救助审核超时限',
    description: '抽查2024年重特大疾病医疗救助申请60件，有23件审核时间超过规定的15个工作日，最长87天，部分群众因等待救助延迟治疗。',
    steps: [assign('10-14 09:30', 'deadline', '2024-12-31'), acknowledge('10-16 10:00')],
  },
  {
    key: 'D4', point: 'diandongche-5', department: 'xijie', category: '不作为', at: '09-09 20:30', by: 'inspector.li',
    title: '高层住宅电动自行车入户入梯管控措施未落实',
    description: '走访西街街道6个高层住宅小区，4个小区电梯未安装电动自行车阻车装置，夜间推车入梯、入户充电现象普遍。',
    steps: [assign('10-14 09:00', 'deadline', '2024-11-30', { co: ['xiaofang'] }), acknowledge('10-15 11:00')],
  },
  {
    key: 'D5', point: 'jiuzhu-1', department: 'minzheng', category: '执行不严', at: '08-30 16:00', by: 'inspector.li',
    title: '低保动态管理不到位，14户家庭收入超标仍在保',
    description: '将低保对象与车辆、市场主体、公积金数据比对，发现14户家庭有登记车辆或经营实体、收入明显超过低保标准仍在享受低保，年度复核均为"无变化"。',
    steps: [
      assign('10-12 10:00', 'deadline', '2024-12-31'),
      acknowledge('10-14 09:00'),
      plan(
        '10-18 16:00',
        '对14户逐户入户核查，符合条件的依规停保并追回违规资金；建立低保对象与车辆、市场主体、公积金数据季度比对机制；对年度复核走过场的经办人员进行约谈。',
        '12月底前完成14户核查处置，建立季度数据比对机制。',
      ),
      progress('10-28 17:00', 60, '已完成14户入户核查，其中9户依规停保，追回低保金3.2万元；数据比对机制方案已报局党组审议。', ['14户核查处置台账.xlsx']),
    ],
  },
  {
    key: 'D6', point: 'shipin-5', department: 'jiaoyu', category: '乱作为', at: '09-03 15:30', by: 'inspector.wang',
    title: '学校食堂承包经营招标程序不规范',
    description: '2024年春季学期4所学校食堂承包经营招标未经集体研究，招标文件设置"本区经营业绩"等限制性条件，2所学校中标单位与上一周期相同。',
    steps: [
      assign('10-12 10:30', 'deadline', '2024-12-31'),
      acknowledge('10-13 09:30'),
      plan(
        '10-17 15:00',
        '对4所学校招标项目开展专项复查；修订学校食堂承包经营管理办法，取消限制性条款；招标事项一律提交局党组会集体研究。',
        '12月底前完成复查和制度修订，2025年春季学期起按新办法招标。',
      ),
    ],
  },
  {
    key: 'D7', point: 'zhifa-1', department: 'zhifa', category: '执法不规范', at: '09-06 10:00', by: 'inspector.li',
    title: '执法全过程记录制度落实不到位',
    description: '抽查街道综合执法队2024年行政处罚案卷40卷，有15卷无执法记录仪视频，8卷现场检查笔录无当事人签字，执法记录仪使用登记缺失。',
    steps: [
      assign('10-12 11:00', 'deadline', '2024-11-30'),
      acknowledge('10-14 10:00'),
      plan('10-16 16:00', '为各中队补充配备执法记录仪40台；制定执法记录仪使用和音像资料归档规定；每月随机抽查案卷并通报。', '11月底前实现执法全过程记录全覆盖。'),
      progress('10-25 17:00', 40, '已采购执法记录仪40台并分发到各中队，音像资料归档规定已起草。', ['执法记录仪配发登记表.pdf']),
    ],
  },
  {
    key: 'D8', point: 'diandongche-3', department: 'shijian', category: '监管缺位', at: '09-10 11:00', by: 'inspector.wang',
    title: '电动自行车销售维修网点违规改装、销售非标电池',
    description: '暗访西街、北苑6家电动自行车销售维修店，4家提供"解码提速"改装服务，3家销售无3C认证的锂电池，市场监管所2024年未开展专项检查。',
    steps: [
      assign('09-12 09:00', 'deadline', '2024-10-31', { co: ['xiaofang'] }),
      acknowledge('09-13 10:00'),
      plan('09-18 15:00', '开展电动自行车销售维修市场专项整治，对违规改装和销售非标电池的网点立案查处；建立销售维修网点监管清单，每季度全覆盖检查。', '10月底前完成全区销售维修网点排查整治。'),
      progress('10-08 16:00', 50, '已检查全区销售维修网点58家，立案查处7家，收缴非标电池136块。', ['专项整治检查台账.xlsx']),
      progress('10-29 17:00', 80, '剩余12家网点复查中，监管清单已建立。', ['电动自行车销售维修网点监管清单.xlsx']),
    ],
  },
  {
    key: 'D9', point: 'yeshi-3', department: 'dongguan', category: '慢作为', at: '08-28 22:00', by: 'inspector.li',
    title: '东关夜市占道经营整治反复，消防通道被占用',
    description: '东关夜市东段摊位超出划定区域经营，消防通道被占用，2024年以来群众投诉达46件，街道多次整治后"回潮"。',
    steps: [
      assign('10-12 11:30', 'deadline', '2024-11-15', { co: ['zhifa'] }),
      acknowledge('10-15 09:00'),
      plan('10-20 16:00', '重新划定夜市经营区域并施划标线；落实街道、执法中队、社区联合值守；对反复占道的商户依法处理。', '11月中旬前夜市经营秩序常态化规范，消防通道保持畅通。'),
    ],
  },
  {
    key: 'D10', point: 'jiuzai-5', department: 'yingji', category: '管理不规范', at: '09-04 15:00', by: 'inspector.li',
    title: '救灾资金未实行专账核算',
    description: '"7·18"暴雨救灾资金1260万元与部门日常经费混合核算，未设立救灾资金专账，部分支出附件不全。',
    steps: [
      assign('10-12 14:00', 'deadline', '2024-11-30'),
      acknowledge('10-12 16:00'),
      plan('10-14 10:00', '设立救灾资金专账，对"7·18"救灾资金收支逐笔清理归集；补齐支出附件；修订救灾资金管理办法。', '11月底前完成专账设置和资金清理。'),
      progress('10-21 17:00', 100, '救灾资金专账已设立，1260万元收支已全部清理归集，缺失附件已补齐。', ['救灾资金专账明细.xlsx']),
      requestClosure('10-29 16:00', ['救灾资金专账设立批复.pdf', '救灾资金清理报告.pdf']),
    ],
  },
  {
    key: 'D11', point: 'shipin-3', department: 'jiaoyu', category: '形式主义', at: '09-02 12:30', by: 'inspector.wang',
    title: '学校负责人陪餐记录不实',
    description: '查阅8所学校陪餐记录，有3所学校的陪餐记录由同一人代签，部分日期校长外出期间仍有陪餐记录。',
    steps: [
      assign('10-12 15:00', 'deadline', '2024-11-15'),
      acknowledge('10-13 10:00'),
      plan('10-15 15:00', '在全区中小学推行陪餐扫码登记；约谈代签记录的3所学校负责人；将陪餐制度落实纳入学校年度考核。', '11月中旬前全区中小学实现陪餐扫码登记。'),
      progress('10-25 16:00', 90, '全区56所中小学已上线陪餐扫码登记，3所学校负责人已约谈。', ['陪餐扫码登记系统截图.png']),
      requestClosure('10-30 17:00', ['陪餐制度整改报告.pdf', '约谈记录.pdf']),
    ],
  },
  {
    key: 'D12', point: 'jiuzhu-2', department: 'minzheng', category: '慢作为', at: '08-29 10:30', by: 'inspector.wang',
    title: '特困人员供养金发放不及时',
    description: '2024年第二季度特困人员基本生活费7月18日才发放到位，较规定时间延迟18天，涉及特困人员312人。',
    steps: [
      assign('09-02 10:00', 'deadline', '2024-10-15'),
      acknowledge('09-03 09:00'),
      plan('09-05 16:00', '调整特困供养金拨付流程，实行按月预拨；与财政部门建立资金拨付提醒机制。', '9月起特困供养金每月10日前发放到位。'),
      progress('09-20 17:00', 70, '9月份特困供养金已于9月9日发放到位。', ['9月特困供养金发放清单.xlsx']),
      requestClosure('10-08 16:00', ['10月特困供养金发放凭证.pdf', '特困供养金按月预拨制度.pdf']),
      verify('10-15 10:00'),
    ],
  },
  {
    key: 'D13', point: 'yeshi-4', department: 'shijian', category: '执行不严', at: '08-27 22:30', by: 'inspector.li',
    title: '夜市食品快检室抽检结果未按规定公示',
    description: '东关夜市食品快检室8月份开展快检96批次，检测结果未在公示栏公示，快检室每周仅开放2天。',
    steps: [
      assign('10-12 16:00', 'deadline', '2024-11-15'),
      acknowledge('10-12 17:00'),
      plan('10-14 11:00', '快检室在夜市营业期间每日开放；快检结果当日在公示栏和"东关夜市"公众号公示；不合格产品当场下架并溯源。', '10月底前实现快检结果日日公示。'),
      progress('10-17 17:00', 100, '快检室已恢复每日开放，快检结果在公示栏公示。', ['快检室值班表.pdf']),
      requestClosure('10-18 16:00', ['快检结果公示栏照片.jpg']),
      reject('10-21 10:00', '公示记录只有10月14日以后的，公众号未同步公示，不合格产品下架溯源记录缺失。请补充后重新申请销号。'),
      progress('10-24 17:00', 100, '已在公众号补充公示9月以来全部快检结果，建立不合格产品下架溯源台账。', ['公众号公示截图.png', '不合格产品下架溯源台账.xlsx']),
      requestClosure('10-26 16:00', ['快检结果公示情况报告.pdf', '不合格产品下架溯源台账.xlsx']),
      verify('10-29 10:00'),
    ],
  },
  {
    key: 'D14', point: 'ranqi-4', department: 'beiyuan', category: '形式主义', at: '09-13 10:00', by: 'inspector.wang',
    title: '燃气安全隐患排查台账不实，隐患整改未闭环',
    description: '北苑街道燃气安全隐患排查台账记载已整改隐患137处，现场抽查20处，有6处仍未整改，部分整改照片系重复使用。',
    steps: [
      assign('09-14 09:00', 'deadline', '2024-10-15', { co: ['zhujian'] }),
      acknowledge('09-15 10:00'),
      plan('09-18 15:00', '对台账记载的137处隐患逐一复查；隐患整改实行"一隐患一档案"，整改前后照片带时间水印；街道安监站每月抽查。', '10月中旬前完成全部隐患复查和整改。'),
      progress('09-26 17:00', 70, '已复查137处隐患，新发现未整改隐患9处，已整改6处。', ['燃气隐患复查台账.xlsx']),
      requestClosure('09-30 16:00', ['燃气隐患整改档案.pdf']),
      verify('10-09 10:00'),
      reopen('10-28 15:00', '回头看抽查发现，锦华里等2个小区已销号的燃气软管老化隐患再次出现，整改存在反弹回潮，重新整改。'),
    ],
  },
  {
    key: 'D15', point: 'jiuzhu-5', department: 'minzheng', category: '慢作为', at: '09-06 14:00', by: 'inspector.li',
    title: '低保资金社会化发放账户信息错误，3户资金退回后未再发放',
    description: '查阅低保资金发放退回记录，2024年有3户低保家庭因银行账户信息错误资金被退回，合计1.14万元，退回后4个月未重新发放。',
    steps: [
      assign('09-09 09:30', 'deadline', '2024-09-30'),
      acknowledge('09-09 15:00'),
      plan('09-10 11:00', '核实3户正确账户信息并立即补发；建立发放退回资金周报制度；全面核对低保对象账户信息。', '9月底前完成补发和账户信息核对。'),
      requestClosure('09-20 16:00', ['3户低保金补发凭证.pdf', '低保对象账户信息核对表.xlsx']),
      verify('09-24 10:00'),
    ],
  },

  // ── 长期整改 ────────────────────────────────────────────────────────────────
  {
    key: 'L1', point: 'diandongche-1', department: 'zhujian', category: '慢作为', at: '09-11 15:00', by: 'inspector.li',
    title: '电动自行车集中充电设施建设进度滞后',
    description: '2024年民生实事计划新建电动自行车充电端口6000个，截至8月底仅建成2520个，完成42%，部分老旧小区尚未选址。',
    steps: [assign('10-16 10:00', 'long_term', '2025-06-30', { co: ['beiyuan', 'xijie'] })],
  },
  {
    key: 'L2', point: 'ranqi-3', department: 'zhujian', category: '慢作为', at: '09-12 15:00', by: 'inspector.wang',
    title: '老旧燃气管网更新改造推进缓慢',
    description: '2024年城市燃气管道老化更新改造计划改造中压管网18公里、庭院管网42公里，截至9月上旬开工不足三分之一。',
    steps: [assign('10-16 11:00', 'long_term', '2026-12-31'), acknowledge('10-18 10:00')],
  },
  {
    key: 'L3', point: 'yiliao-4', department: 'yibao', category: '监管缺位', at: '09-05 10:30', by: 'inspector.li',
    title: '定点医药机构违规使用医保基金问题反复出现',
    description: '2023年以来检查发现的定点医药机构串换项目、过度诊疗问题中，有11家机构被重复查处，处理以追回资金为主，未纳入协议管理扣分。',
    steps: [
      assign('10-12 09:00', 'long_term', '2025-06-30'),
      acknowledge('10-14 11:00'),
      plan('10-22 16:00', '建立定点医药机构违规问题"黑名单"和信用评价；对重复违规机构中止医保协议；推进医保基金智能监控全覆盖。', '2025年6月底前建成医保基金智能监控和信用评价体系。'),
      progress('10-30 17:00', 20, '已约谈11家重复违规机构，其中2家中止医保协议；智能监控系统完成招标。', ['约谈记录.pdf']),
    ],
  },
  {
    key: 'L4', point: 'jiuzhu-4', department: 'minzheng', category: '制度不健全', at: '09-10 11:00', by: 'inspector.wang',
    title: '"关系保""人情保"长效排查机制未建立',
    description: '全区低保对象中村（社区）干部近亲属有87户，民政部门未建立备案和专项核查制度，近三年未开展专项排查。',
    steps: [
      assign('10-12 09:30', 'long_term', '2026-12-31'),
      acknowledge('10-14 15:00'),
      plan('10-21 10:00', '建立村（社区）干部及其近亲属享受低保备案制度；每年开展一次专项排查；对87户逐户复核。', '2024年底前完成87户复核，2025年起常态化备案排查。'),
    ],
  },
  {
    key: 'L5', point: 'zhifa-2', department: 'zhifa', category: '制度不健全', at: '09-06 15:30', by: 'inspector.wang',
    title: '行政处罚自由裁量基准未细化',
    description: '区综合行政执法局承接的行政处罚事项中，有43项未细化自由裁量基准，同类违法行为罚款金额相差最大达10倍。',
    steps: [
      assign('10-13 09:00', 'long_term', '2025-03-31'),
      acknowledge('10-14 16:00'),
      plan('10-18 10:00', '分批细化43项处罚事项裁量基准；建立典型案例指导制度；法制审核岗对裁量适用进行审核。', '2025年3月底前完成全部裁量基准细化并向社会公布。'),
      progress('10-28 16:00', 30, '已完成第一批15项裁量基准细化，正在征求意见。', ['第一批裁量基准（征求意见稿）.pdf']),
    ],
  },
  {
    key: 'L6', point: 'canbu-1', department: 'canlian', category: '制度不健全', at: '09-09 10:00', by: 'inspector.li',
    title: '残疾人两项补贴资格复核机制不健全',
    description: '区残联与民政、公安、人社部门未建立数据共享，两项补贴资格复核依靠人工入户，2024年复核覆盖率仅61%。',
    steps: [
      assign('10-12 10:00', 'long_term', '2025-06-30', { co: ['minzheng'] }),
      acknowledge('10-13 09:00'),
      plan('10-15 16:00', '与民政、公安、人社部门签订数据共享协议，补贴资格按月比对；年度复核实现全覆盖。', '2025年6月底前建成数据比对机制。'),
      progress('10-24 17:00', 100, '数据共享协议已签订，首次比对已完成。', ['数据共享协议.pdf']),
      requestClosure('10-30 16:00', ['数据比对机制运行报告.pdf']),
    ],
  },
  {
    key: 'L7', point: 'shipin-1', department: 'jiaoyu', category: '监管缺位', at: '08-28 15:00', by: 'inspector.li',
    title: '中小学食堂"明厨亮灶"覆盖不全',
    description: '全区56所中小学中有19所食堂未实现"明厨亮灶"，已建成的视频监控有7所未接入监管平台。',
    steps: [
      assign('09-02 11:00', 'long_term', '2025-08-31', { co: ['shijian'] }),
      acknowledge('09-03 10:00'),
      plan('09-05 11:00', '分两批完成19所学校"明厨亮灶"建设；已建成学校全部接入市场监管智慧监管平台。', '2025年8月底前全区中小学"明厨亮灶"全覆盖。'),
      progress('09-27 17:00', 60, '第一批10所学校已完成建设，7所学校已接入监管平台。', ['第一批建设验收单.pdf']),
      requestClosure('10-18 16:00', ['明厨亮灶建设情况报告.pdf']),
      markOngoing('10-23 10:00', '第一批建设已验收，第二批9所学校纳入2025年计划，持续整改。'),
    ],
  },
  {
    key: 'L8', point: 'yiliao-5', department: 'yibao', category: '制度不健全', at: '09-12 16:00', by: 'inspector.li',
    title: '因病返贫致贫监测预警机制不健全',
    description: '医保、民政、乡村振兴部门监测数据未共享，高额医疗费用支出家庭预警信息推送滞后，2024年有9户因病致贫家庭未及时纳入救助。',
    steps: [
      assign('09-14 10:00', 'long_term', '2025-12-31', { co: ['minzheng'] }),
      acknowledge('09-18 09:00'),
      plan('09-20 15:00', '建立高额医疗费用支出预警信息每月推送机制；9户家庭立即纳入救助。', '2025年底前建成跨部门监测预警平台。'),
      progress('10-10 17:00', 70, '9户家庭已纳入医疗救助，预警信息月推送机制已运行。', ['9户医疗救助审批表.pdf']),
      requestClosure('10-22 16:00', ['监测预警机制运行情况.pdf']),
      markOngoing('10-28 10:00', '月推送机制已运行，跨部门监测预警平台建设持续推进。'),
    ],
  },
  {
    key: 'L9', point: 'yeshi-2', department: 'shijian', category: '制度不健全', at: '08-30 22:00', by: 'inspector.wang',
    title: '冷链肉品"黑作坊"查处长效机制缺失',
    description: '东关、南郊城乡接合部发现无证肉品加工点3处，相关线索在12315平台重复投诉，查处后未建立跟踪回访机制，"黑作坊"易死灰复燃。',
    steps: [
      assign('09-02 15:00', 'long_term', '2024-12-31'),
      acknowledge('09-03 11:00'),
      plan('09-04 15:00', '建立"黑作坊"查处台账和回访机制；联合公安、街道开展城乡接合部冷链肉品专项整治。', '年底前形成长效机制。'),
      progress('09-20 17:00', 80, '查处无证加工点3处，移送公安机关1件，建立回访台账。', ['黑作坊查处台账.xlsx']),
      requestClosure('10-14 16:00', ['冷链肉品监管长效机制.pdf', '专项整治总结.pdf']),
      verify('10-21 10:00'),
    ],
  },

  // ── 待交办 ──────────────────────────────────────────────────────────────────
  {
    key: 'R1', point: 'jiuzai-3', department: 'zhujian', category: '慢作为', at: '09-18 10:00', by: 'inspector.li',
    title: '倒损农房恢复重建补助资金拨付滞后',
    description: '"7·18"暴雨倒损农房恢复重建补助资金已下达2个月，仍有47户未拨付，部分群众借款建房。',
    steps: [],
  },
  {
    key: 'R2', point: 'canbu-2', department: 'canlian', category: '执行不严', at: '09-19 15:00', by: 'inspector.wang',
    title: '重度残疾人护理补贴发放标准执行不一',
    description: '北苑、西街街道对同一护理等级的重度残疾人按不同标准发放护理补贴，每月相差40元。',
    steps: [],
  },
  {
    key: 'R3', point: 'shipin-4', department: 'shijian', category: '监管缺位', at: '09-19 16:30', by: 'inspector.li',
    title: '校园周边小卖部销售"三无"食品',
    description: '走访城关一中、西街小学周边8家小卖部，5家销售无生产日期、无厂名厂址的辣条、糖果。',
    steps: [],
  },

  // ── 不予整改 ────────────────────────────────────────────────────────────────
  {
    key: 'X1', point: 'jiuzai-1', department: 'yingji', at: '09-03 11:00', by: 'inspector.wang',
    title: '过渡期生活救助发放对象与受灾台账不一致',
    description: '比对发现过渡期生活救助发放名单与受灾人员台账相差23人。',
    steps: [dismiss('10-11 10:00', '经核查，差异系受灾台账按户登记、救助发放按人统计的口径不同所致，发放对象准确，不属于问题，不予整改。')],
  },
  {
    key: 'X2', point: 'zhifa-5', department: 'zhifa', at: '09-16 10:00', by: 'inspector.li',
    title: '执法辅助人员单独执法',
    description: '有商户反映执法辅助人员单独对其作出罚款决定。',
    steps: [dismiss('10-11 11:00', '经调阅执法记录仪视频和案卷，相关执法活动均有2名在编执法人员在场，罚款决定由执法人员作出，反映情况不属实，不予整改。')],
  },
];
