/** Label value of void pixels in both demos (as in Pascal VOC): ignored by losses and IoUs. */
export const VOID = 255;
