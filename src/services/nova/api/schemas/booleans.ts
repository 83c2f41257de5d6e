/** oslo's strutils.bool_from_string: the strings that mean true (anything else is false). */
export const BOOLEAN_TRUE: ReadonlySet<string> = new Set(['1', 't', 'true', 'on', 'y', 'yes']);
