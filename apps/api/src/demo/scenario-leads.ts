import { close, dispose, outcome, receive, transfer, triage, type DemoLead } from './scenario.types.js';

/*
 * 35 problem leads (问题线索) about 执法不规范、慢作为、不作为、乱作为, recorded from 进驻 until the
 * morning of 反馈 (08-27 … 10-10). The team does not investigate them: it transfers them (mostly to
 * 区纪委监委) and records receipt, disposition and outcome. By 10-31:
 *   closed 6 · concluded 5 · disposing 8 (谈话函询 3, 初步核实 3 — one after 暂存待查 —, 暂存待查 2)
 *   received 4 · transferred 5 · triaged 3 · recorded 4.
 * Names of the people concerned and of informants are invented and leave the loader only through
 * the personal-data vault.
 */
export const DEMO_LEADS: readonly DemoLead[] = [
  // ── 已销号 ──────────────────────────────────────────────────────────────────
  {
    key: 'LD30', point: 'jiuzhu-4', source: 'petition', at: '08-27 16:00', by: 'inspector.li',
    summary: '群众来信反映，幸福里社区党组织书记利用低保评议审核职权，为其亲属违规办理低保，社区评议会议记录系事后补写。',
    subjects: [{ name: '刘建军', post: '幸福里社区党组织书记', department: 'xingfuli' }],
    informant: { name: '孟凡英', contact: '139****2741' },
    steps: [
      triage('08-29 10:00', 'transfer', '反映问题具体，涉嫌优亲厚友，移交区纪委监委。'),
      transfer('08-30 09:30', 'discipline_commission'),
      receive('09-02 10:00'),
      dispose('09-06 15:00', 'preliminary_verification'),
      outcome('10-08 16:00', 'admonition', '经初步核实，违规为其亲属办理低保问题属实，给予诫勉处理，追回违规发放低保金1.08万元。'),
      close('10-16 10:00'),
    ],
  },
  {
    key: 'LD31', point: 'zhifa-1', source: 'interview', at: '08-28 10:00', by: 'inspector.wang',
    summary: '个别谈话中反映，西街街道综合行政执法队队长在执法中不出示执法证件，随意扣押流动摊贩物品且不开具清单。',
    subjects: [{ name: '张伟明', post: '西街街道综合行政执法队队长', department: 'xijie' }],
    steps: [
      triage('08-30 10:00', 'transfer'),
      transfer('09-02 09:00', 'discipline_commission'),
      receive('09-03 10:00'),
      dispose('09-05 15:00', 'talk_or_letter'),
      outcome('09-27 16:00', 'reminder', '谈话函询中本人如实说明情况，存在执法不规范问题，予以谈话提醒。'),
      close('10-15 10:00'),
    ],
  },
  {
    key: 'LD32', point: 'yiliao-4', source: 'documents', at: '08-30 11:00', by: 'inspector.li',
    summary: '查阅医保基金检查资料发现，区医疗保障局基金监管科对某民营医院串换项目问题"以罚代管"，处罚金额明显偏低，涉嫌收受好处。',
    subjects: [{ name: '马国庆', post: '区医疗保障局基金监管科科长', department: 'yibao' }],
    steps: [
      triage('09-02 10:00', 'transfer'),
      transfer('09-03 09:00', 'discipline_commission'),
      receive('09-04 10:00'),
      dispose('09-06 16:00', 'preliminary_verification'),
      outcome('10-11 16:00', 'case_opened', '初步核实发现涉嫌违纪违法问题，已立案审查调查。'),
      close('10-18 10:00'),
    ],
  },
  {
    key: 'LD33', point: 'yeshi-2', source: 'site_visit', at: '08-29 22:30', by: 'inspector.wang',
    summary: '实地走访发现，辖区冷库长期无证加工肉制品，群众多次投诉未查处，反映东关市场监管所所长与经营者关系密切。',
    subjects: [{ name: '胡永强', post: '东关市场监管所所长', department: 'shijian' }],
    steps: [
      triage('09-02 11:00', 'transfer'),
      transfer('09-03 10:00', 'discipline_commission'),
      receive('09-05 10:00'),
      dispose('09-09 15:00', 'talk_or_letter'),
      outcome('10-09 16:00', 'criticism', '本人作出书面说明，存在监管失职问题，予以批评教育。'),
      close('10-17 10:00'),
    ],
  },
  {
    key: 'LD34', point: 'jiuzai-4', source: 'petition', at: '09-02 10:00', by: 'inspector.li',
    summary: '群众来访反映，杨家庄村在冬春生活救助对象民主评议中优亲厚友，村党支部书记亲属获得救助。',
    subjects: [{ name: '杨春花', post: '杨家庄村党支部书记', department: 'yangjiazhuang' }],
    informant: { name: '杨德福', contact: '来访登记表第0312号' },
    steps: [
      triage('09-04 10:00', 'transfer'),
      transfer('09-05 09:30', 'discipline_commission'),
      receive('09-06 10:00'),
      dispose('09-10 15:00', 'preliminary_verification'),
      outcome('10-10 11:00', 'cleared', '经核实，评议程序符合规定，其亲属符合救助条件，反映问题不属实，予以了结澄清。'),
      close('10-21 10:00'),
    ],
  },
  {
    key: 'LD35', point: 'zhifa-4', source: 'interview', at: '09-03 15:00', by: 'inspector.wang',
    summary: '个别谈话中反映，南郊街道综合行政执法中队中队长对违法建设"选择性执法"，对部分违建长期不予查处。',
    subjects: [{ name: '胡志海', post: '南郊街道综合行政执法中队中队长', department: 'nanjiao' }],
    steps: [
      triage('09-05 10:00', 'transfer'),
      transfer('09-06 09:00', 'discipline_commission'),
      receive('09-09 10:00'),
      dispose('09-10 16:00', 'preliminary_verification'),
      outcome('10-12 16:00', 'organizational_measure', '初步核实存在履职不力问题，给予调离执法岗位的组织处理。'),
      close('10-25 10:00'),
    ],
  },

  // ── 已办结 ──────────────────────────────────────────────────────────────────
  {
    key: 'LD25', point: 'jiuzhu-1', source: 'interview', at: '09-04 11:00', by: 'inspector.li',
    summary: '个别谈话中反映，区民政局社会救助科个别工作人员在低保审核中"吃拿卡要"，对不送礼的申请人以材料不全为由反复退件。',
    subjects: [{ name: '高志远', post: '区民政局社会救助科科员', department: 'minzheng' }],
    steps: [
      triage('09-06 10:00', 'transfer'),
      transfer('09-09 09:00', 'discipline_commission'),
      receive('09-10 10:00'),
      dispose('09-13 15:00', 'talk_or_letter'),
      outcome('10-22 16:00', 'reminder', '函询说明存在服务态度生硬、一次性告知不到位问题，未发现收受财物，予以谈话提醒。'),
    ],
  },
  {
    key: 'LD26', point: 'diandongche-3', source: 'site_visit', at: '09-05 20:00', by: 'inspector.wang',
    summary: '实地走访发现，市场监管执法人员对电动自行车非法改装店多次检查只警告不处罚，店主称"打过招呼"。',
    subjects: [{ name: '田立新', post: '西街市场监管所执法人员', department: 'shijian' }],
    steps: [
      triage('09-09 10:00', 'transfer'),
      transfer('09-10 09:00', 'discipline_commission'),
      receive('09-11 10:00'),
      dispose('09-14 15:00', 'talk_or_letter'),
      outcome('10-24 16:00', 'criticism', '存在执法宽松软问题，予以批评教育。'),
    ],
  },
  {
    key: 'LD27', point: 'jiuzai-5', source: 'documents', at: '09-06 10:00', by: 'inspector.li',
    summary: '查阅账目发现，区应急管理局救灾资金支出中有12笔以"白条"入账，合计8.6万元。',
    subjects: [{ name: '郭振华', post: '区应急管理局财务负责人', department: 'yingji' }],
    steps: [
      triage('09-10 10:00', 'transfer'),
      transfer('09-11 09:00', 'discipline_commission'),
      receive('09-12 10:00'),
      dispose('10-15 15:00', 'concluded'),
    ],
  },
  {
    key: 'LD28', point: 'shipin-5', source: 'petition', at: '09-09 09:30', by: 'inspector.wang',
    summary: '群众来信反映，区教育局后勤服务中心主任在学校食堂承包经营招标中为特定企业"打招呼"。',
    subjects: [{ name: '郑国华', post: '区教育局后勤服务中心主任', department: 'jiaoyu' }],
    informant: { name: '周敏', contact: '158****3306' },
    steps: [
      triage('09-11 10:00', 'transfer'),
      transfer('09-12 09:00', 'discipline_commission'),
      receive('09-13 10:00'),
      dispose('09-18 15:00', 'preliminary_verification'),
      outcome('10-29 16:00', 'admonition', '初步核实存在违规干预招标问题，给予诫勉处理。'),
    ],
  },
  {
    key: 'LD29', point: 'canbu-2', source: 'interview', at: '09-10 16:00', by: 'inspector.li',
    summary: '个别谈话中反映，北苑街道残联专职委员虚报重度残疾人护理补贴对象。',
    subjects: [{ name: '何晓东', post: '北苑街道残联专职委员', department: 'beiyuan' }],
    steps: [
      triage('09-12 10:00', 'transfer'),
      transfer('09-13 09:00', 'discipline_commission'),
      receive('09-14 10:00'),
      dispose('09-20 15:00', 'preliminary_verification'),
      outcome('10-30 16:00', 'cleared', '经逐户核实，补贴对象均符合条件，反映问题不属实，予以了结澄清。'),
    ],
  },

  // ── 处置中：谈话函询 ─────────────────────────────────────────────────────────
  {
    key: 'LD17', point: 'jiuzhu-3', source: 'petition', at: '09-11 10:00', by: 'inspector.wang',
    summary: '群众来信反映，东关街道社会救助经办人员对临时救助申请相互推诿，申请人往返街道、社区6次未获受理。',
    subjects: [{ name: '宋立平', post: '东关街道社会救助经办人员', department: 'dongguan' }],
    informant: { name: '吴桂兰', contact: '136****4180' },
    steps: [triage('09-13 10:00', 'transfer'), transfer('09-14 09:00', 'discipline_commission'), receive('09-18 10:00'), dispose('09-23 15:00', 'talk_or_letter')],
  },
  {
    key: 'LD18', point: 'ranqi-2', source: 'interview', at: '09-12 10:30', by: 'inspector.li',
    summary: '个别谈话中反映，区住建局燃气管理科对液化气充装站违规充装"过期瓶"问题长期不处理。',
    subjects: [{ name: '韩德胜', post: '区住房和城乡建设局燃气管理科科长', department: 'zhujian' }],
    steps: [triage('09-18 10:00', 'transfer'), transfer('09-19 09:00', 'discipline_commission'), receive('09-20 10:00'), dispose('09-26 15:00', 'talk_or_letter')],
  },
  {
    key: 'LD19', point: 'yeshi-3', source: 'site_visit', at: '09-13 21:30', by: 'inspector.wang',
    summary: '走访夜市商户反映，个别执法队员收取"管理费"后默许占道经营。',
    subjects: [{ name: '梁志斌', post: '区综合行政执法局东关中队队员', department: 'zhifa' }],
    steps: [triage('09-18 11:00', 'transfer'), transfer('09-19 10:00', 'discipline_commission'), receive('09-23 10:00'), dispose('10-08 15:00', 'talk_or_letter')],
  },

  // ── 处置中：初步核实 ─────────────────────────────────────────────────────────
  {
    key: 'LD20', point: 'jiuzhu-5', source: 'documents', at: '09-16 15:00', by: 'inspector.li',
    summary: '查阅低保资金发放明细发现，3名已死亡人员死亡后仍在领取低保金，涉嫌经办人员冒领。',
    subjects: [{ name: '谢宏伟', post: '南郊街道民政办主任', department: 'nanjiao' }],
    steps: [triage('09-18 10:00', 'transfer'), transfer('09-19 09:00', 'discipline_commission'), receive('09-20 10:00'), dispose('09-25 15:00', 'preliminary_verification')],
  },
  {
    key: 'LD21', point: 'yiliao-2', source: 'petition', at: '09-18 09:30', by: 'inspector.wang',
    summary: '群众来信反映，医疗救助经办窗口工作人员与某定点医院串通，虚开医疗救助票据套取救助资金。',
    subjects: [{ name: '唐国平', post: '区医疗保障局医疗救助经办窗口负责人', department: 'yibao' }],
    informant: { name: '冯海燕', contact: '187****2059' },
    steps: [triage('09-20 10:00', 'transfer'), transfer('09-23 09:00', 'discipline_commission'), receive('09-24 10:00'), dispose('09-29 15:00', 'preliminary_verification')],
  },
  {
    key: 'LD22', point: 'jiuzai-3', source: 'interview', at: '09-05 15:30', by: 'inspector.li',
    summary: '个别谈话中反映，倒损农房恢复重建补助对象认定不公，村委会主任亲属房屋未倒损却获得补助。',
    subjects: [{ name: '董建平', post: '杨家庄村村委会主任', department: 'yangjiazhuang' }],
    steps: [
      triage('09-09 10:00', 'transfer'),
      transfer('09-10 09:00', 'discipline_commission'),
      receive('09-12 10:00'),
      dispose('09-19 15:00', 'shelved'),
      // New evidence: the 10-08 回访 found the house intact.
      dispose('10-21 15:00', 'preliminary_verification'),
    ],
  },

  // ── 处置中：暂存待查 ─────────────────────────────────────────────────────────
  {
    key: 'LD23', point: 'diandongche-1', source: 'petition', at: '09-19 10:00', by: 'inspector.wang',
    summary: '群众来信反映，充电桩项目施工单位与街道城建办负责人存在利益关系，项目未经招标直接指定。',
    subjects: [{ name: '程立新', post: '北苑街道城建办主任', department: 'beiyuan' }],
    informant: { name: '曹永福', contact: '137****0952' },
    steps: [triage('09-23 10:00', 'transfer'), transfer('09-24 09:00', 'discipline_commission'), receive('09-26 10:00'), dispose('10-14 15:00', 'shelved')],
  },
  {
    key: 'LD24', point: 'zhifa-3', source: 'interview', at: '09-20 10:00', by: 'inspector.li',
    summary: '个别谈话中反映，执法中队个别人员收取罚款"不开票"。',
    subjects: [{ name: '袁志刚', post: '区综合行政执法局西街中队副中队长', department: 'zhifa' }],
    steps: [triage('09-24 10:00', 'transfer'), transfer('09-25 09:00', 'discipline_commission'), receive('09-27 10:00'), dispose('10-16 15:00', 'shelved')],
  },

  // ── 已接收 ──────────────────────────────────────────────────────────────────
  {
    key: 'LD13', point: 'diandongche-4', source: 'site_visit', at: '09-23 20:00', by: 'inspector.wang',
    summary: '实地走访发现，多个小区消防通道长期被电动车和杂物堵塞，街道物业管理办公室接到投诉后未督促物业整改。',
    subjects: [{ name: '邓丽萍', post: '北苑街道物业管理办公室负责人', department: 'beiyuan' }],
    steps: [triage('09-26 10:00', 'transfer'), transfer('09-27 09:00', 'discipline_commission'), receive('10-09 10:00')],
  },
  {
    key: 'LD14', point: 'canbu-4', source: 'documents', at: '09-24 10:00', by: 'inspector.li',
    summary: '查阅辅助器具适配项目资料发现，供应商资质存疑、部分器具未实际发放，经办人员未审核即验收付款。',
    subjects: [{ name: '许晓光', post: '区残联康复部部长', department: 'canlian' }],
    steps: [triage('09-27 10:00', 'transfer'), transfer('09-29 09:00', 'discipline_commission'), receive('10-11 10:00')],
  },
  {
    key: 'LD15', point: 'shipin-2', source: 'petition', at: '09-25 10:00', by: 'inspector.wang',
    summary: '群众来信反映，学生营养餐配送企业资质系挂靠取得，负责监管的工作人员知情不报。',
    subjects: [{ name: '傅明亮', post: '区市场监督管理局食品生产科科员', department: 'shijian' }],
    informant: { name: '沈红梅', contact: '186****7719' },
    steps: [triage('09-29 10:00', 'transfer'), transfer('09-30 09:00', 'discipline_commission'), receive('10-14 10:00')],
  },
  {
    key: 'LD16', point: 'yiliao-1', source: 'interview', at: '09-26 15:00', by: 'inspector.li',
    summary: '个别谈话中反映，困难群众参保资助名单审核走过场，存在应助未助、重复资助。',
    subjects: [{ name: '曾德明', post: '区医疗保障局待遇保障科科长', department: 'yibao' }],
    steps: [triage('10-08 10:00', 'transfer'), transfer('10-09 09:00', 'discipline_commission'), receive('10-16 10:00')],
  },

  // ── 已移交 ──────────────────────────────────────────────────────────────────
  {
    key: 'LD08', point: 'ranqi-4', source: 'site_visit', at: '09-27 10:00', by: 'inspector.wang',
    summary: '实地走访发现，街道燃气安全隐患排查记录与现场情况不符，涉嫌弄虚作假。',
    subjects: [{ name: '彭建华', post: '北苑街道安监站站长', department: 'beiyuan' }],
    steps: [triage('10-09 10:00', 'transfer'), transfer('10-11 09:00', 'discipline_commission')],
  },
  {
    key: 'LD09', point: 'jiuzai-1', source: 'documents', at: '09-29 10:00', by: 'inspector.li',
    summary: '查阅资料发现，过渡期生活救助资金发放存在他人代领，代领人签字笔迹相同。',
    subjects: [{ name: '吕国强', post: '南郊街道应急办工作人员', department: 'nanjiao' }],
    steps: [triage('10-12 10:00', 'transfer'), transfer('10-14 09:00', 'discipline_commission')],
  },
  {
    key: 'LD10', point: 'jiuzhu-2', source: 'interview', at: '10-08 11:00', by: 'inspector.wang',
    summary: '个别谈话中反映，敬老院代管特困供养人员供养金，部分资金去向不明。',
    subjects: [{ name: '苏丽华', post: '南郊街道敬老院院长', department: 'nanjiao' }],
    steps: [triage('10-15 10:00', 'transfer'), transfer('10-17 09:00', 'discipline_commission')],
  },
  {
    key: 'LD11', point: 'zhifa-5', source: 'petition', at: '09-30 10:00', by: 'inspector.li',
    summary: '群众来访反映，执法辅助人员招聘不公开，多名辅助人员系执法局领导亲属。',
    subjects: [{ name: '蒋文涛', post: '区综合行政执法局办公室主任', department: 'zhifa' }],
    informant: { name: '蔡永胜', contact: '来访登记表第0347号' },
    steps: [triage('10-16 10:00', 'transfer', '涉及选人用人和人员管理问题，移交区委组织部。'), transfer('10-18 09:00', 'organization_department')],
  },
  {
    key: 'LD12', point: 'yeshi-1', source: 'site_visit', at: '10-08 21:00', by: 'inspector.wang',
    summary: '实地走访发现，东关夜市部分摊点的肉制品由一家无证供货商供应，供货点位于城乡接合部民房内。',
    subjects: [],
    steps: [triage('10-11 10:00', 'transfer', '属市场监管执法事项，移交区市场监督管理局依法查处并反馈。'), transfer('10-14 09:00', 'functional_department', 'shijian')],
  },

  // ── 已研判 ──────────────────────────────────────────────────────────────────
  {
    key: 'LD05', point: 'canbu-1', source: 'interview', at: '10-09 10:00', by: 'inspector.li',
    summary: '个别谈话中反映，区残联个别工作人员为亲友违规办理困难残疾人生活补贴。',
    subjects: [{ name: '贾春生', post: '区残联办公室副主任', department: 'canlian' }],
    steps: [triage('10-30 10:00', 'transfer', '拟移交区纪委监委，待补充相关材料后移交。')],
  },
  {
    key: 'LD06', point: 'shipin-3', source: 'documents', at: '09-20 15:00', by: 'inspector.wang',
    summary: '查阅陪餐记录发现，多所学校陪餐记录由同一人代签。',
    subjects: [],
    steps: [triage('10-15 10:00', 'reclassify_as_finding', '属制度执行问题，已并入"学校负责人陪餐记录不实"问题整改。')],
  },
  {
    key: 'LD07', point: 'diandongche-5', source: 'petition', at: '09-26 10:00', by: 'inspector.li',
    summary: '群众来信反映，某小区物业对电动车充电乱收费。',
    subjects: [],
    informant: { name: '丁志宏', contact: '135****6628' },
    steps: [triage('10-10 09:00', 'refer_elsewhere', '属物业服务收费纠纷，转区住房和城乡建设局和西街街道按信访渠道办理。')],
  },

  // ── 已登记 ──────────────────────────────────────────────────────────────────
  {
    key: 'LD01', point: 'jiuzhu-1', source: 'interview', at: '10-08 10:30', by: 'inspector.li',
    summary: '个别谈话中反映，西街街道低保入户调查"走过场"，调查表由社区工作人员代填。',
    subjects: [{ name: '魏晓军', post: '西街街道民政办工作人员', department: 'xijie' }],
    steps: [],
  },
  {
    key: 'LD02', point: 'ranqi-3', source: 'petition', at: '10-09 09:30', by: 'inspector.wang',
    summary: '群众来信反映，燃气管网改造工程存在违法转包，质量监督人员收受施工方好处后降低验收标准。',
    subjects: [{ name: '薛明辉', post: '区住房和城乡建设局质量安全监督站工程师', department: 'zhujian' }],
    informant: { name: '叶立群', contact: '139****5508' },
    steps: [],
  },
  {
    key: 'LD03', point: 'diandongche-2', source: 'site_visit', at: '10-09 16:00', by: 'inspector.li',
    summary: '实地走访发现，消防监督检查人员对楼道"飞线"充电只拍照留痕不督促处置。',
    subjects: [{ name: '阎海波', post: '区消防救援大队北苑消防站监督员', department: 'xiaofang' }],
    steps: [],
  },
  {
    key: 'LD04', point: 'yiliao-5', source: 'documents', at: '10-10 09:00', by: 'inspector.wang',
    summary: '查阅资料发现，因病致贫监测对象信息长期未更新，经办人员虚报入户走访记录。',
    subjects: [{ name: '余建国', post: '区医疗保障局待遇保障科科员', department: 'yibao' }],
    steps: [],
  },
];
