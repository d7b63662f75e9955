/* printf subset for the guest consoles: %s %c %d %u %x %p %%, l/ll length, width and '0' padding. */
#pragma once
#include "types.h"
#include <stdarg.h>
typedef void (*putc_fn)(char c);
void vformat(putc_fn out, const char *fmt, va_list ap);
