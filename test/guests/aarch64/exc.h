#pragma once
#include <stdint.h>
struct frame { uint64_t x[31]; uint64_t pad; uint64_t elr; uint64_t spsr; };
#define READ_SYSREG(r) ({ uint64_t _v; __asm__ volatile("mrs %0, " #r : "=r"(_v)); _v; })
#define WRITE_SYSREG(r, v) __asm__ volatile("msr " #r ", %0" :: "r"((uint64_t)(v)) : "memory")
void exc_handler(struct frame *f, unsigned long kind, unsigned long el);
