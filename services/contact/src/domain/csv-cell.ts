// A CSV opened in a spreadsheet runs a cell that starts with =, +, -, @, a tab or a carriage return as a formula
// (OWASP "CSV injection"): exported data typed by users, partners or imports must never become one.

const FORMULA_START = /^[=+\-@\t\r]/;
/** Numbers and phone numbers start with + or - too, and are left as they are. */
const NUMERIC = /^[+-]?[\d\s().,-]+$/;

/** The cell as text a spreadsheet shows as it is: a leading apostrophe where it could start a formula. */
export function csvSafeCell(value: string): string {
  return FORMULA_START.test(value) && !NUMERIC.test(value) ? `'${value}` : value;
}
