import { describe, expect, it } from 'vitest';
import { cameraFailure } from './camera';

describe('cameraFailure', () => {
  it('tells a blocked camera from a missing, busy or otherwise failing one', () => {
    const failure = (name: string) => cameraFailure(new DOMException('x', name));
    expect(failure('NotAllowedError')).toBe('camera_denied');
    expect(failure('SecurityError')).toBe('camera_denied');
    expect(failure('NotFoundError')).toBe('no_camera');
    expect(failure('OverconstrainedError')).toBe('no_camera');
    expect(failure('NotReadableError')).toBe('camera_busy');
    expect(cameraFailure(new TypeError('boom'))).toBe('camera_failed');
    expect(cameraFailure('weird')).toBe('camera_failed');
  });
});
