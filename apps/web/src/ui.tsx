import {
  ReactNode,
  TableHTMLAttributes,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { ApiError } from './api/client';
import { CHECKLIST_ITEM_WORDS } from './words';

/** Whether a screen has been shown yet: the page as loaded starts at the top (skip link first), like any page. */
let shownOne = false;

/** A screen: when it opens within the console, its heading takes focus, so screen readers announce the new page. */
export function Page({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ICE On Notice`;
    if (shownOne) h1.current?.focus();
    shownOne = true;
  }, [title]);
  return (
    <>
      <div className="page-head">
        <h1 ref={h1} tabIndex={-1}>
          {title}
        </h1>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </>
  );
}

/** Loads data for a screen; `reload()` after an action changes it. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's own dependency list, plus the reload tick
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((n) => n + 1), []) };
}

/** What went wrong, in words, announced to screen readers. Field errors are shown next to their fields instead. */
export function ErrorMessage({ error, context }: { error: unknown; context?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const body = error instanceof ApiError ? error.body : undefined;
  return (
    <div className="error" role="alert">
      <p>
        {context ? `${context}: ` : ''}
        {message}
      </p>
      {body?.missing && body.missing.length > 0 && (
        <ul>
          {body.missing.map((m) => (
            <li key={m.item}>Missing: {CHECKLIST_ITEM_WORDS[m.item] ?? m.message}</li>
          ))}
        </ul>
      )}
      {body?.currentState && <p>The case is now {label(body.currentState)}.</p>}
      {error instanceof ApiError && error.fields.length > 0 && <p>See the marked fields.</p>}
      {/* A reference only where support can help: an unexpected error (5xx), not a refusal that says what to do. */}
      {body?.requestId && error instanceof ApiError && error.status >= 500 && (
        <p className="muted">Reference for support: {body.requestId}</p>
      )}
    </div>
  );
}

/** Codes that mean the record moved on since it was shown: reloading it is the way forward. */
const STALE: readonly string[] = ['VERSION.CONFLICT', 'CASE.INVALID_TRANSITION', 'RESOURCE.CONFLICT'];

/**
 * A refused action, above its button; when the record changed meanwhile, a button to load it again.
 * `reloadHint` says what happens to what was typed.
 */
export function ActionError({
  error,
  context,
  onReload,
  reloadText = 'Reload',
  reloadHint,
}: {
  error: unknown;
  context?: string;
  onReload?: () => void;
  reloadText?: string;
  reloadHint?: string;
}) {
  if (!error) return null;
  const stale = error instanceof ApiError && STALE.includes(error.code);
  return (
    <>
      <ErrorMessage error={error} context={context} />
      {stale && onReload && (
        <p>
          <button type="button" className="btn secondary" onClick={onReload}>
            {reloadText}
          </button>
          {reloadHint && (
            <>
              {' '}
              <span className="muted">{reloadHint}</span>
            </>
          )}
        </p>
      )}
    </>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}

/** Loading, failed, or the content: the usual three states of a screen's data. */
export function Loaded<T>({
  state,
  what,
  children,
}: {
  state: { data: T | undefined; error: unknown; loading: boolean };
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (state.error) return <ErrorMessage error={state.error} context={`Could not load ${what}`} />;
  if (state.data === undefined) return <Loading what={what} />;
  return <>{children(state.data)}</>;
}

interface FieldProps {
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
}

function FieldShell({
  id,
  label: text,
  hint,
  error,
  required,
  children,
}: FieldProps & { id: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>
        {text}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
      {children}
    </div>
  );
}

const describedBy = (id: string, p: FieldProps) =>
  [p.hint && `${id}-hint`, p.error && `${id}-error`].filter(Boolean).join(' ') || undefined;

export function TextField(
  p: FieldProps & {
    value: string;
    onChange: (v: string) => void;
    type?: string;
    autoComplete?: string;
    maxLength?: number;
    list?: string;
  },
) {
  const id = useId();
  return (
    <FieldShell id={id} {...p}>
      <input
        id={id}
        type={p.type ?? 'text'}
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        autoComplete={p.autoComplete}
        list={p.list}
        maxLength={p.maxLength}
        aria-invalid={!!p.error}
        aria-describedby={describedBy(id, p)}
        aria-required={p.required}
      />
    </FieldShell>
  );
}

export function TextArea(
  p: FieldProps & { value: string; onChange: (v: string) => void; rows?: number; maxLength?: number },
) {
  const id = useId();
  return (
    <FieldShell id={id} {...p}>
      <textarea
        id={id}
        value={p.value}
        rows={p.rows ?? 4}
        onChange={(e) => p.onChange(e.target.value)}
        maxLength={p.maxLength}
        aria-invalid={!!p.error}
        aria-describedby={describedBy(id, p)}
        aria-required={p.required}
      />
    </FieldShell>
  );
}

export function SelectField<T extends string>(
  p: FieldProps & {
    value: T | '';
    onChange: (v: T | '') => void;
    options: readonly T[];
    labels?: Partial<Record<T, string>>;
    placeholder?: string;
  },
) {
  const id = useId();
  return (
    <FieldShell id={id} {...p}>
      <select
        id={id}
        value={p.value}
        onChange={(e) => p.onChange(e.target.value as T | '')}
        aria-invalid={!!p.error}
        aria-describedby={describedBy(id, p)}
        aria-required={p.required}
      >
        <option value="">{p.placeholder ?? 'Choose…'}</option>
        {p.options.map((o) => (
          <option key={o} value={o}>
            {p.labels?.[o] ?? label(o)}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** Yes / No / not answered yet: the order asks several such questions, and "not answered" must stay visible. */
export function YesNo(p: FieldProps & { value: boolean | null; onChange: (v: boolean | null) => void }) {
  const id = useId();
  const choice = (v: boolean | null, text: string) => (
    <label className="inline">
      <input type="radio" name={id} checked={p.value === v} onChange={() => p.onChange(v)} /> {text}
    </label>
  );
  return (
    <fieldset className={`field${p.error ? ' has-error' : ''}`} aria-describedby={describedBy(id, p)}>
      <legend>{p.label}</legend>
      {p.hint && (
        <p id={`${id}-hint`} className="hint">
          {p.hint}
        </p>
      )}
      {p.error && (
        <p id={`${id}-error`} className="field-error">
          {p.error}
        </p>
      )}
      {choice(true, 'Yes')}
      {choice(false, 'No')}
      {choice(null, 'Not answered')}
    </fieldset>
  );
}

export function Checkbox({
  label: text,
  checked,
  onChange,
  hint,
}: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field checkbox">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <label htmlFor={id}>{text}</label>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A date and time in the officer's local zone, kept as an ISO 8601 instant (what the service takes). */
export function DateTimeField(p: FieldProps & { value: string | null; onChange: (v: string | null) => void }) {
  const local = p.value ? toLocalInput(p.value) : '';
  return (
    <TextField
      {...p}
      type="datetime-local"
      value={local}
      onChange={(v) => p.onChange(v ? new Date(v).toISOString() : null)}
    />
  );
}

function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A button that shows it is working and cannot be pressed twice meanwhile. */
export function ActionButton({
  onClick,
  children,
  kind = 'primary',
  busyText,
  disabled,
  type = 'button',
}: {
  onClick?: () => Promise<unknown> | void;
  children: ReactNode;
  kind?: 'primary' | 'secondary' | 'danger';
  busyText?: string;
  disabled?: boolean;
  type?: 'button' | 'submit';
}) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    if (!onClick) return;
    setBusy(true);
    try {
      await onClick();
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type={type}
      className={`btn ${kind}`}
      onClick={type === 'submit' ? undefined : run}
      disabled={disabled || busy}
      aria-busy={busy}
    >
      {busy ? (busyText ?? 'Working…') : children}
    </button>
  );
}

/** `IN_REVIEW` -> "In review". */
export function label(code: string): string {
  const s = code.replace(/_/g, ' ').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status.toLowerCase().replace(/_/g, '-')}`}>{label(status)}</span>;
}

/** "3 d 4 h", "2 h 10 min", "5 min": how long ago (or for how long). */
export function age(fromIso: string, now = Date.now()): string {
  const min = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]} (${n.toLocaleString()} bytes)`;
}

/** A long hash shown whole (it is evidence) but breakable, in a monospace font. */
export function Hash({ value }: { value: string }) {
  return <code className="hash">{value}</code>;
}

/**
 * One choice out of a few, all visible (radio buttons in a fieldset): for choices a person should
 * see side by side, each with an optional line saying what it means.
 */
export function RadioGroup<T extends string>(
  p: FieldProps & {
    value: T | '';
    onChange: (v: T) => void;
    options: readonly T[];
    labels?: Partial<Record<T, string>>;
    descriptions?: Partial<Record<T, string>>;
  },
) {
  const id = useId();
  return (
    <fieldset className={`field${p.error ? ' has-error' : ''}`} aria-describedby={describedBy(id, p)}>
      <legend>
        {p.label}
        {p.required && <span aria-hidden="true"> *</span>}
      </legend>
      {p.hint && (
        <p id={`${id}-hint`} className="hint">
          {p.hint}
        </p>
      )}
      {p.error && (
        <p id={`${id}-error`} className="field-error">
          {p.error}
        </p>
      )}
      {p.options.map((o) => (
        <div key={o} className="radio-option">
          <input
            type="radio"
            id={`${id}-${o}`}
            name={id}
            value={o}
            checked={p.value === o}
            onChange={() => p.onChange(o)}
            aria-describedby={p.descriptions?.[o] ? `${id}-${o}-desc` : undefined}
          />
          <label htmlFor={`${id}-${o}`}>{p.labels?.[o] ?? label(o)}</label>
          {p.descriptions?.[o] && (
            <p id={`${id}-${o}-desc`} className="hint">
              {p.descriptions[o]}
            </p>
          )}
        </div>
      ))}
    </fieldset>
  );
}

/**
 * Each body cell's column label, from the table's header row: what a cell shows above its value when the table is
 * shown as a stack of cards on a narrow screen (`table.stack td::before { content: attr(data-label) }`). A cell's own
 * `data-label` wins. Kept up to date as rows come and go.
 */
export function labelCells(table: HTMLTableElement): void {
  const head = table.tHead?.rows[0];
  if (!head) return;
  const labels: string[] = [];
  for (const th of Array.from(head.cells))
    for (let i = 0; i < th.colSpan; i++) labels.push((th.textContent ?? '').trim());
  for (const body of Array.from(table.tBodies)) {
    for (const row of Array.from(body.rows)) {
      let col = 0;
      for (const cell of Array.from(row.cells)) {
        const text = labels[col];
        // A cell across several columns (a form opened in a row, a note) has no one column to name.
        if (text && cell.colSpan === 1 && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', text);
        col += cell.colSpan;
      }
    }
  }
}

/**
 * A table that reads as a stack of labelled cards on a phone (issue 16: no sideways scrolling): a plain `<table>`
 * whose cells get their column's label (labelCells), with the `stack` class the narrow-screen styles apply to.
 */
export function StackTable({
  className,
  children,
  ...rest
}: TableHTMLAttributes<HTMLTableElement> & { children: ReactNode }) {
  const ref = useRef<HTMLTableElement>(null);
  useLayoutEffect(() => {
    const table = ref.current;
    if (!table) return;
    labelCells(table);
    const watch = new MutationObserver(() => labelCells(table));
    watch.observe(table, { childList: true, subtree: true, characterData: true });
    return () => watch.disconnect();
  }, []);
  return (
    <table ref={ref} className={`stack${className ? ` ${className}` : ''}`} {...rest}>
      {children}
    </table>
  );
}
