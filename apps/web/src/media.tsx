import { useCallback, useEffect, useRef, useState } from 'react';
import { ErrorMessage } from './ui';
import { downloadWith, evidenceTicket } from './tickets';

/** What the console needs of an evidence item to play or download it (a case's item or a packet's manifest entry). */
export interface MediaItem {
  id: string;
  contentType: string;
  originalFilename: string | null;
  /** How the item is called when it has no file name ("Body-worn camera footage (BWC)"). */
  label: string;
}

export type MediaKind = 'video' | 'audio' | 'image' | 'pdf';

/** How the browser shows this type (the type the service found in the bytes), or null: download only. */
export function mediaKind(contentType: string): MediaKind | null {
  const t = contentType.toLowerCase().split(';')[0].trim();
  if (t.startsWith('video/')) return 'video';
  if (t.startsWith('audio/')) return 'audio';
  if (/^image\/(jpeg|png|gif|webp|bmp|avif)$/.test(t)) return 'image';
  if (t === 'application/pdf') return 'pdf';
  return null;
}

const nameOf = (item: MediaItem) => item.originalFilename ?? item.label;

/** Play (video, audio) or View (image, PDF), then Download: for the item's row. */
export function MediaButtons({ item, onOpen }: { item: MediaItem; onOpen: (item: MediaItem) => void }) {
  const kind = mediaKind(item.contentType);
  const [error, setError] = useState<unknown>(null);
  const download = async () => {
    setError(null);
    try {
      await downloadWith(evidenceTicket(item.id, 'DOWNLOAD'));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="media-buttons">
      {kind && (
        <button
          type="button"
          className="btn secondary"
          onClick={() => onOpen(item)}
          aria-label={`${kind === 'video' || kind === 'audio' ? 'Play' : 'View'} ${nameOf(item)}`}
        >
          {kind === 'video' || kind === 'audio' ? 'Play' : 'View'}
        </button>
      )}
      <button type="button" className="btn secondary" onClick={download} aria-label={`Download ${nameOf(item)}`}>
        Download
      </button>
      <ErrorMessage error={error} context="Not downloaded" />
    </div>
  );
}

/**
 * The open item: video and audio with the browser's own controls, images shown, PDFs opened in a new tab
 * (the console's pages may not be framed, nor frame anything). The source is a PLAYBACK ticket's URL:
 * the browser asks for byte ranges as it plays and seeks, so nothing is downloaded whole. A ticket lives
 * a few minutes: when the browser's next range request is refused, a new ticket is fetched and playback
 * goes on from where it was.
 */
export function MediaPlayer({ item, onClose }: { item: MediaItem; onClose: () => void }) {
  const kind = mediaKind(item.contentType);
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const media = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  const resumeAt = useRef<{ time: number; playing: boolean } | null>(null);
  const renewals = useRef(0);
  const heading = useRef<HTMLHeadingElement>(null);

  const ticket = useCallback(async () => {
    try {
      setSrc((await evidenceTicket(item.id, 'PLAYBACK')).url);
    } catch (e) {
      setError(e);
    }
  }, [item.id]);

  useEffect(() => {
    setSrc(null);
    setError(null);
    renewals.current = 0;
    resumeAt.current = null;
    void ticket();
    heading.current?.focus();
  }, [ticket]);

  const failed = () => {
    const el = media.current;
    if (renewals.current >= 3) {
      setError(
        new Error(`${nameOf(item)} could not be played in this browser. Download it to play it with another program.`),
      );
      return;
    }
    // Most likely the ticket expired: a new one, and on from the same moment.
    renewals.current += 1;
    resumeAt.current = el ? { time: el.currentTime, playing: !el.paused } : null;
    void ticket();
  };
  const loaded = () => {
    const el = media.current;
    const at = resumeAt.current;
    if (!el || !at) return;
    resumeAt.current = null;
    el.currentTime = at.time;
    if (at.playing) void el.play().catch(() => undefined);
  };

  const title = `${kind === 'video' || kind === 'audio' ? 'Playing' : 'Viewing'} ${nameOf(item)}`;
  return (
    <section className="panel media-player" aria-labelledby={`player-${item.id}`}>
      <h3 id={`player-${item.id}`} ref={heading} tabIndex={-1}>
        {title}
      </h3>
      <p className="muted">
        Streamed from the evidence store as it plays: seeking fetches only the part needed. Opening it is recorded in
        the chain of custody.
      </p>
      <ErrorMessage error={error} context="Cannot show it" />
      {!src && !error && <p role="status">Opening {nameOf(item)}…</p>}
      {src && kind === 'video' && (
        <video
          ref={media}
          src={src}
          controls
          autoPlay
          preload="metadata"
          onError={failed}
          onLoadedMetadata={loaded}
          aria-label={`Video: ${nameOf(item)}`}
        />
      )}
      {src && kind === 'audio' && (
        <audio
          ref={media}
          src={src}
          controls
          autoPlay
          preload="metadata"
          onError={failed}
          onLoadedMetadata={loaded}
          aria-label={`Audio: ${nameOf(item)}`}
        />
      )}
      {src && kind === 'image' && <img src={src} alt={`Evidence image: ${nameOf(item)}`} onError={failed} />}
      {src && kind === 'pdf' && (
        <p>
          <a href={src} target="_blank" rel="noopener noreferrer">
            Open {nameOf(item)} (PDF) in a new tab
          </a>{' '}
          <span className="muted">(the link works for a few minutes; press View again for a new one)</span>
        </p>
      )}
      <div className="btn-row">
        <button type="button" className="btn secondary" onClick={onClose}>
          Close the player
        </button>
      </div>
    </section>
  );
}
