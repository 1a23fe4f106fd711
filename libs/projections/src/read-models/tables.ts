/**
 * Every read-model table, named in one place. Tables live in the schema the projector hands over
 * (`rm`, or `rm_next` during a rebuild), never in a hard-coded one.
 */
export const TABLES = {
  departments: 'departments',
  rounds: 'rounds',
  focusFields: 'focus_fields',
  monitoringPoints: 'monitoring_points',
  findings: 'findings',
  findingDepartmentFigures: 'finding_department_figures',
  findingOpenByDue: 'finding_open_by_due',
  findingFieldFigures: 'finding_field_figures',
  findingWeekFigures: 'finding_week_figures',
  leads: 'leads',
  leadPoints: 'lead_points',
  leadCounts: 'lead_counts',
  leadResultFigures: 'lead_result_figures',
  leadFieldFigures: 'lead_field_figures',
  leadWeekFigures: 'lead_week_figures',
  followUpCounts: 'follow_up_counts',
} as const;
