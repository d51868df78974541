import { ProsecutorOffice, Role, ValidationError } from '@app/common';

/**
 * Officers and supervisors belong to a district, prosecutors to an office, auditors and
 * admins to neither (the database enforces the same rule with a CHECK constraint).
 */
export function assertRoleScope(role: Role, district: number | null, office: ProsecutorOffice | null): void {
  const fields: { field: string; errors: string[] }[] = [];
  const needsDistrict = role === 'OFFICER' || role === 'SUPERVISOR';
  const needsOffice = role === 'PROSECUTOR';
  if (needsDistrict && district == null)
    fields.push({ field: 'district', errors: [`district is required for role ${role}`] });
  if (!needsDistrict && district != null)
    fields.push({ field: 'district', errors: [`district must be empty for role ${role}`] });
  if (needsOffice && office == null) fields.push({ field: 'office', errors: [`office is required for role ${role}`] });
  if (!needsOffice && office != null)
    fields.push({ field: 'office', errors: [`office must be empty for role ${role}`] });
  if (fields.length) {
    throw new ValidationError(fields.map((f) => f.errors[0]).join('; '), fields);
  }
}
