/*
 * Included before every guest C file (-include): all symbols, declared or defined, are hidden, so gcc forms
 * their addresses PC-relative (adrp/add) instead of loading them from a GOT that would hold link-time
 * absolute addresses. That keeps the kernel and the stub runnable wherever a loader puts them.
 */
#pragma GCC visibility push(hidden)
