/** Parameter types the action bodies share (nova's api/validation/parameter_types.py). */
export const ADMIN_PASSWORD = { type: 'string' };
/** parameter_types.image_id: a string, checked as an image id downstream. */
export const IMAGE_ID = { type: 'string', format: 'uuid' };
export const NON_NEGATIVE_INTEGER = { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 0, minLength: 1 };
