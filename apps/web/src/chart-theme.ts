/* Chart settings the pages share; kept apart from ./echarts so that importing them does not pull ECharts in. */
export type { EChartsCoreOption as ChartOption } from 'echarts/core';

/** The page's Chinese font stack for canvas text (canvas does not inherit CSS fonts). */
export const CHART_FONT =
  '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';
