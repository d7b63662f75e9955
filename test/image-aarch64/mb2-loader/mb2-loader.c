/*
 * A minimal aarch64 Multiboot2 loader, only for the acceptance test of the mono-image's Multiboot2 entry
 * (no Debian loader speaks Multiboot2 on aarch64). The image was preloaded raw at IMAGE_ADDR by QEMU's
 * generic loader; this program checks that its Multiboot2 header's address tag asks for exactly that,
 * builds an information structure (command line, loader name, QEMU's devicetree as a module, memory map
 * from the devicetree) and enters at the entry tag's address with X0 = 0x36d76289, X1 = the structure, at
 * EL2 with the MMU off, as NOVA's specification defines the aarch64 Multiboot2 launch.
 */
#include "lib/fdt.h"
#include "lib/fmt.h"
#include "lib/mb2.h"
#include "lib/pl011.h"
#include "lib/string.h"

#define IMAGE_ADDR 0x40400000UL
#define QEMU_DTB_ADDR 0x40000000UL /* where QEMU puts the DTB for a bare ELF */
#define MBI_ADDR 0x41100000UL

void jump(u64 entry, u64 magic, u64 mbi) __attribute__((noreturn));

static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat(pl011_putc, fmt, ap);
  va_end(ap);
}

static void __attribute__((noreturn)) fail(const char *why) {
  say("mb2-loader: %s\n", why);
  for (;;) __asm__ volatile("wfi");
}

static u8 *put_tag(u8 *p, u32 type, const void *body, u32 len) {
  struct mb2_tag t = {type, 8 + len};
  memcpy(p, &t, 8);
  if (len) memcpy(p + 8, body, len);
  u32 padded = ALIGN_UP(8 + len, 8);
  memset(p + 8 + len, 0, padded - 8 - len);
  return p + padded;
}

void loader_main(void) {
  pl011_set_base(PL011_DEFAULT_BASE);
  const u8 *image = (const u8 *)IMAGE_ADDR;
  const struct mb2_header *h = NULL;
  for (u32 off = 0; off < 32768; off += 8) {
    const struct mb2_header *c = (const void *)(image + off);
    if (c->magic == MB2_HEADER_MAGIC && (u32)(c->magic + c->architecture + c->header_length + c->checksum) == 0) {
      h = c;
      break;
    }
  }
  if (!h) fail("no Multiboot2 header in the image");
  u64 entry = 0, load = 0, header_addr = 0;
  for (const u8 *t = (const u8 *)(h + 1); t < (const u8 *)h + h->header_length;) {
    const struct mb2_htag *tag = (const void *)t;
    if (tag->type == 0) break;
    if (tag->type == 2) header_addr = ((const u32 *)t)[2], load = ((const u32 *)t)[3];
    if (tag->type == 3) entry = ((const u32 *)t)[2];
    t += ALIGN_UP(tag->size, 8);
  }
  if (!entry || !load) fail("image lacks the address or entry tag");
  if (load != IMAGE_ADDR || header_addr - load != (u64)((const u8 *)h - image)) fail("address tag does not match where the image was preloaded");

  const void *fdt = (const void *)QEMU_DTB_ADDR;
  if (!fdt_check(fdt)) fail("no devicetree from QEMU");

  u8 *p = (u8 *)MBI_ADDR + 8;
  static const char cmdline[] = "from=mb2-loader";
  static const char name[] = "nova-image test Multiboot2 loader";
  p = put_tag(p, MB2_TAG_CMDLINE, cmdline, sizeof cmdline);
  p = put_tag(p, MB2_TAG_LOADER_NAME, name, sizeof name);
  u8 module[8 + 4];
  u32 range[2] = {(u32)(u64)fdt, (u32)((u64)fdt + fdt_totalsize(fdt))};
  memcpy(module, range, 8);
  memcpy(module + 8, "dtb", 4);
  p = put_tag(p, MB2_TAG_MODULE, module, sizeof module);

  u8 mmap[8 + 8 * 24];
  struct mb2_tag_mmap head = {MB2_TAG_MMAP, 0, 24, 0};
  u32 n = 0;
  int root = fdt_root(fdt), depth = 0;
  for (int node = fdt_next_node(fdt, root, &depth); node >= 0 && depth > 0; node = fdt_next_node(fdt, node, &depth)) {
    u64 a, s;
    if (depth == 1 && strncmp(fdt_node_name(fdt, node), "memory@", 7) == 0)
      for (u32 i = 0; n < 8 && fdt_reg(fdt, root, node, i, &a, &s); i++) {
        struct mb2_mmap_entry e = {a, s, MB2_MEM_AVAILABLE, 0};
        memcpy(mmap + 8 + 24 * n++, &e, 24);
      }
  }
  if (!n) fail("no memory in the devicetree");
  memcpy(mmap, &head.entry_size, 8);
  p = put_tag(p, MB2_TAG_MMAP, mmap, 8 + 24 * n);
  p = put_tag(p, MB2_TAG_END, NULL, 0);
  struct mb2_info info = {(u32)(p - (u8 *)MBI_ADDR), 0};
  memcpy((void *)MBI_ADDR, &info, 8);

  say("mb2-loader: entering the image at 0x%lx with the information at 0x%lx\n", entry, MBI_ADDR);
  jump(entry, MB2_BOOTLOADER_MAGIC, MBI_ADDR);
}
