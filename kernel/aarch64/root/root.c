/*
 * The reference root task: runs at EL0, talks to the kernel only through SVC #0 (x0 = call number).
 * Built to NOVA's root image rules: see root.ld.
 */
enum { SYS_WRITE = 0, SYS_EXIT = 1 };

#define ROOT_STATUS_SUCCESS 0x10

static long syscall2(long nr, long a1, long a2) {
  register long x0 __asm__("x0") = nr;
  register long x1 __asm__("x1") = a1;
  register long x2 __asm__("x2") = a2;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2) : "memory");
  return x0;
}

static const char hello[] = "ROOT: hello from user mode\n";

/* Written by the task itself, so the test also proves that its data page is mapped writable. */
static volatile unsigned long counter = 41;

void _start(void) {
  counter++;
  long written = syscall2(SYS_WRITE, (long)hello, sizeof hello - 1);
  int ok = written == (long)(sizeof hello - 1) && counter == 42;
  syscall2(SYS_EXIT, ok ? ROOT_STATUS_SUCCESS : 0x11, 0);
  for (;;) {
  }
}
