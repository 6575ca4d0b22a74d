"use client";

import Link from "next/link";
import { useEffect, type ReactNode } from "react";

/**
 * The body of a route's error.tsx: a friendly title and sentence, "Try again", and a way back. The internal error is
 * only logged in the browser console, never shown.
 */
export function RouteError(props: {
  error: unknown;
  retry: () => void;
  title: string;
  children: ReactNode;
  back: { href: string; label: string };
}) {
  const { error } = props;
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="panel" role="alert">
      <h1>{props.title}</h1>
      {props.children}
      <div className="btn-row">
        <button type="button" className="btn primary" onClick={() => props.retry()}>
          Try again
        </button>
        <Link className="btn" href={props.back.href}>
          {props.back.label}
        </Link>
      </div>
    </div>
  );
}
