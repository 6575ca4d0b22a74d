/** Character codes the readers compare against (`String.prototype.charCodeAt`). */
export const TAB = 9;
export const LF = 10;
export const VT = 11;
export const FF = 12;
export const CR = 13;
export const REPLACEMENT = 0xfffd;
export const SPACE = 32;
export const QUOTE = 34;
export const COMMA = 44;
export const PERIOD = 46;
export const UPPER_T = 84;
export const LOWER_T = 116;
