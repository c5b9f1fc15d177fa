import { type RefObject, useEffect, useRef, useState } from 'react';

/** The element's content width, tracked with a ResizeObserver (charts redraw on resize). */
export function useWidth<T extends HTMLElement>(initial = 480): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [w, setW] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver((entries) => {
      const cw = entries[0]?.contentRect.width;
      if (cw && Math.abs(cw - w) > 1) setW(Math.floor(cw));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [w]);
  return [ref, w];
}
