// Brings an element's children up to date with freshly built ones while keeping the elements that are
// already there. Chromium sends no click when the element the mouse pressed is removed before the mouse is
// released, and the sidebar is rendered again in every frame that brings output, with a new status, pid or
// CPU figure every few seconds: replacing an entry's spans whenever one of them changed lost a click on a
// process that happened to change during the press.

/** What makes an old element the one to keep for a new one: its tag and its first class, such as `pid`. */
function roleOf(element: Element): string {
  return `${element.tagName} ${element.classList.item(0) ?? ''}`;
}

/** Makes `target`'s attributes those of `source`: the same names with the same values, and no others. */
function patchAttributes(target: Element, source: Element): void {
  for (const { name } of [...target.attributes]) {
    if (!source.hasAttribute(name)) target.removeAttribute(name);
  }
  for (const { name, value } of source.attributes) {
    if (target.getAttribute(name) !== value) target.setAttribute(name, value);
  }
}

/** Makes `target`, an element of the same role, show what `source` shows. */
function patchElement(target: Element, source: Element): void {
  patchAttributes(target, source);
  if (source.children.length === 0) {
    const text = source.textContent ?? '';
    if (target.textContent !== text) target.textContent = text;
    return;
  }
  patchChildren(target, [...source.children]);
}

/**
 * Makes `parent`'s children show what `children` show. An old child is kept, and only its attributes and text
 * change, when a new child has its role (see `roleOf`) in the same order; the old children without a new
 * counterpart are removed and the new ones without an old counterpart inserted. A kept child is never
 * detached, not even to move it, since that too would lose a press on it.
 */
export function patchChildren(parent: Element, children: readonly Element[]): void {
  const old = [...parent.children];
  let searchFrom = 0;
  const wanted = children.map((child) => {
    const role = roleOf(child);
    for (let i = searchFrom; i < old.length; i++) {
      const candidate = old[i] as Element;
      if (roleOf(candidate) !== role) continue;
      searchFrom = i + 1;
      patchElement(candidate, child);
      return candidate;
    }
    return child;
  });
  arrangeChildren(parent, wanted);
  // An element that held only text and now holds elements still has its old text node beside them.
  for (const node of [...parent.childNodes]) {
    if (node.nodeType === Node.TEXT_NODE) node.remove();
  }
}

/**
 * Makes `parent`'s element children exactly `wanted`, in that order, without detaching a child that stays:
 * the children not wanted are removed and the wanted ones not there yet are inserted in their places. Only a
 * child that stays but has to move is detached, which never happens while the order is kept.
 */
export function arrangeChildren(parent: Element, wanted: readonly Element[]): void {
  for (const element of [...parent.children]) {
    if (!wanted.includes(element)) element.remove();
  }
  wanted.forEach((element, i) => {
    const present = parent.children[i] ?? null;
    if (present !== element) parent.insertBefore(element, present);
  });
}
