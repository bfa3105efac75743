// Toast notifications, announced to screen readers through the live regions of index.html.

const DISMISS_AFTER_MS = { success: 5000, info: 6000, error: 9000 };

let container = null;

/** Binds the toasts to their container (an element holding the live regions). */
export function initToasts(element) {
  container = element;
}

/**
 * Shows a toast. `kind`: "success", "info" or "error" (errors use role=alert, the others are
 * announced politely). Returns the toast element.
 */
export function showToast(kind, message) {
  if (!container) return null;
  const toast = document.createElement('div');
  toast.className = `toast toast-${kind}`;
  toast.dataset.testid = `toast-${kind}`;
  toast.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  const icon = document.createElement('span');
  icon.className = 'toast-icon';
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = kind === 'success' ? '✓' : kind === 'error' ? '!' : 'i';
  const text = document.createElement('p');
  text.className = 'toast-message';
  text.dataset.testid = 'toast-message';
  text.textContent = message;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'toast-close';
  close.setAttribute('aria-label', 'Dismiss notification');
  close.textContent = '×';
  close.addEventListener('click', () => toast.remove());
  toast.append(icon, text, close);
  container.append(toast);
  // Keep the stack short.
  while (container.children.length > 4) container.firstElementChild.remove();
  const timer = window.setTimeout(() => toast.remove(), DISMISS_AFTER_MS[kind] || 6000);
  // Someone reading or hovering keeps it.
  const hold = () => window.clearTimeout(timer);
  toast.addEventListener('mouseenter', hold, { once: true });
  toast.addEventListener('focusin', hold, { once: true });
  return toast;
}
