import { leadFields, type LeadFields } from '@leadline/contracts';

/** The read-model column of every editable lead field; typed so that a new field cannot be forgotten. */
export const leadFieldColumns: Record<keyof LeadFields, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone',
  company: 'company',
  title: 'title',
  source: 'source',
  industry: 'industry',
  country: 'country',
  city: 'city',
  companySize: 'company_size',
  dealValue: 'deal_value',
  expectedCloseDate: 'expected_close_date',
  probability: 'probability',
  customFields: 'custom_fields',
};

const isLeadField = (field: string): field is keyof LeadFields => Object.hasOwn(leadFieldColumns, field);

/**
 * The new value of one changed field, validated against the field's schema. An unknown field or
 * an invalid value throws: the event is poison rather than silently half-applied.
 */
export function parseFieldChange(field: string, to: unknown): { field: keyof LeadFields; column: string; value: unknown } {
  if (!isLeadField(field)) throw new Error(`LeadDetailsUpdated changes unknown field "${field}"`);
  const value = leadFields.shape[field].parse(to);
  return { field, column: leadFieldColumns[field], value: field === 'customFields' ? JSON.stringify(value) : value };
}
