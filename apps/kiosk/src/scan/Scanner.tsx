import { useEffect, useRef, useState } from 'react';
import type { CameraFailure } from '../flow/flow';
import { useI18n } from '../i18n';
import { useLatest } from '../ui/hooks';
import { Spinner, TorchIcon } from '../ui/icons';
import { CAMERA_CONSTRAINTS, cameraFailure } from './camera';

interface ScannerProps {
  onDecoded: (text: string) => void;
  onFailure: (reason: CameraFailure) => void;
}

/** Pause between decode attempts; each attempt itself takes a few to a few tens of milliseconds. */
const ATTEMPT_GAP_MS = 40;

/** Torch control is not in the DOM typings yet; Chrome on Android exposes it as a track capability. */
function supportsTorch(track: MediaStreamTrack): boolean {
  return typeof track.getCapabilities === 'function' && 'torch' in track.getCapabilities();
}

/**
 * The camera view. The QR decoder (@zxing/browser + @zxing/library) is fetched only now, in its own chunk, while the
 * camera starts; the service worker precaches that chunk, so scanning works offline too. The first code read stops
 * the camera.
 */
export function Scanner({ onDecoded, onFailure }: ScannerProps) {
  const { t } = useI18n();
  const videoRef = useRef<HTMLVideoElement>(null);
  const trackRef = useRef<MediaStreamTrack | null>(null);
  const [ready, setReady] = useState(false);
  const [mirrored, setMirrored] = useState(false);
  const [torch, setTorch] = useState<{ available: boolean; on: boolean }>({ available: false, on: false });
  const decoded = useLatest(onDecoded);
  const failed = useLatest(onFailure);

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const video = videoRef.current;

    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
      trackRef.current = null;
    };
    const fail = (reason: CameraFailure) => {
      if (stopped) return;
      stop();
      failed.current(reason);
    };

    async function start() {
      if (!video) return;
      if (!navigator.mediaDevices?.getUserMedia) return fail('no_camera');
      const decoderModule = import('./decoder');
      // Mark the chunk's failure as handled here; it is reported below once the camera question is settled.
      decoderModule.catch(() => undefined);
      stream = await navigator.mediaDevices.getUserMedia(CAMERA_CONSTRAINTS);
      if (stopped) return stop();
      const track = stream.getVideoTracks()[0];
      if (!track) return fail('no_camera');
      track.addEventListener('ended', () => fail('camera_failed'));
      trackRef.current = track;
      video.srcObject = stream;
      await video.play();
      let decode: (video: HTMLVideoElement) => string | null;
      try {
        decode = (await decoderModule).createFrameDecoder();
      } catch {
        return fail('scanner_unavailable');
      }
      if (stopped) return;
      // A front camera shows a mirror image, which is what people expect when they hold something up to it.
      setMirrored(track.getSettings().facingMode === 'user');
      setTorch({ available: supportsTorch(track), on: false });
      setReady(true);
      const attempt = () => {
        if (stopped) return;
        const text = decode(video);
        if (text !== null) {
          stop();
          decoded.current(text);
          return;
        }
        timer = setTimeout(attempt, ATTEMPT_GAP_MS);
      };
      attempt();
    }

    start().catch((error: unknown) => fail(cameraFailure(error)));
    return stop;
  }, [decoded, failed]);

  async function toggleTorch() {
    const track = trackRef.current;
    const next = !torch.on;
    try {
      await track?.applyConstraints({ advanced: [{ torch: next } as MediaTrackConstraintSet] });
      setTorch({ available: true, on: next });
    } catch {
      setTorch({ available: false, on: false });
    }
  }

  return (
    <div className="scanner">
      <div className="viewfinder">
        <video
          ref={videoRef}
          className={mirrored ? 'mirrored' : undefined}
          muted
          playsInline
          aria-label={t('scan.videoLabel')}
          data-testid="camera"
        />
        <div className="viewfinder-frame" aria-hidden="true" />
        {!ready && (
          <p className="viewfinder-status">
            <Spinner /> {t('scan.starting')}
          </p>
        )}
      </div>
      {torch.available && (
        <button
          type="button"
          className="btn btn-secondary"
          aria-pressed={torch.on}
          onClick={() => void toggleTorch()}
          data-testid="torch"
        >
          <TorchIcon className="icon" /> {torch.on ? t('scan.torchOff') : t('scan.torchOn')}
        </button>
      )}
    </div>
  );
}
