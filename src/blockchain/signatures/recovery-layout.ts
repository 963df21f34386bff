/** One recovery request in a batch sent to a worker thread: digest (32) ‖ r ‖ s (64) ‖ recovery id (1). */
export const RECOVERY_INPUT_BYTES = 97;
/** One answer: the uncompressed public key (65 bytes, `0x04 ‖ X ‖ Y`), or 65 zeros when none was recovered. */
export const RECOVERY_OUTPUT_BYTES = 65;
