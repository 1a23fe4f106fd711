/** The command forms of ActionForms.vue: their fields and how their values become a request body. */
export type FormValue = string | string[];
export type FormValues = Record<string, FormValue>;

export type FieldKind =
  'text' | 'textarea' | 'date' | 'pastdate' | 'number' | 'select' | 'multi' | 'radio' | 'password';

export interface FormFieldSpec {
  /** The API's field path (`title`, `finding.title`, `subjects[0].name`): its errors are shown here. */
  name: string;
  label: string;
  kind: FieldKind;
  options?: { value: string; label: string }[];
  hint?: string;
  initial?: FormValue;
  /** Personal data (names, contacts, person targets): marked on the form, kept in the vault. */
  protected?: boolean;
  /** A heading shown before this field (a group of fields). */
  section?: string;
  /** Shown only while this holds (e.g. the reclassified finding's fields for that decision). */
  showIf?: (values: FormValues) => boolean;
}

export interface FormAction {
  key: string;
  title: string;
  hint?: string;
  /** Where it is sent; a function when the path names a value of the form (the unit to rename). */
  path: string | ((values: FormValues) => string);
  submit: string;
  fields: FormFieldSpec[];
  body: (values: FormValues) => Record<string, unknown>;
  /** API field names shown at another input. */
  fieldAlias?: Record<string, string>;
  /** The case's revision, sent as If-Match. */
  ifMatch?: number;
  /** Keep the values after a success (e.g. an account form the page reloads). */
  keepAfterSuccess?: boolean;
}

export const text = (v: FormValue | undefined): string => String(v ?? '').trim();
export const optional = (name: string, v: FormValue | undefined) => (text(v) ? { [name]: text(v) } : {});
export const choose = (options: Record<string, string>, placeholder = '请选择') => [
  { value: '', label: placeholder },
  ...Object.entries(options).map(([value, label]) => ({ value, label })),
];
