#include "lib.h"
int main(void) {
  unsigned long el;
  __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
  puts("hello from aarch64 guest\n");
  printf("CurrentEL=%lu\n", el >> 2);
  return 0;
}
