import type { ComponentChildren } from 'preact';
import { href, onLinkClick } from '../router';

export function Link({ to, children, class: className, current }: { to: string; children: ComponentChildren; class?: string; current?: boolean }) {
  return (
    <a href={href(to)} class={className} aria-current={current ? 'page' : undefined} onClick={(event) => onLinkClick(event, to)}>
      {children}
    </a>
  );
}
