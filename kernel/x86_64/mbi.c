/*
 * Multiboot2 information structure: validation, tag lookup and the lines about how we were booted,
 * the modules and the command line. The structure is read through the direct map and checked once in
 * mbi_init, so every later lookup can trust sizes and bounds.
 */
#include "kernel.h"
#include "multiboot2.h"

static const uint8_t *mbi;
static uint32_t mbi_size;
static uint64_t mbi_phys_addr;

static __attribute__((noreturn)) void malformed(const char *what, uint32_t offset)
{
    kprintf("mbi: malformed Multiboot2 information at 0x%llx: %s (offset 0x%x)\n",
            (unsigned long long)mbi_phys_addr, what, offset);
    end_run(STATUS_KERNEL_FAILURE);
}

void mbi_init(uint64_t mbi_phys)
{
    mbi_phys_addr = mbi_phys;
    if (mbi_phys & 7)
        malformed("address not 8-byte aligned", 0);
    if (!phys_range_ok(mbi_phys, 8))
        malformed("address beyond 4 GiB", 0);
    mbi = phys_to_virt(mbi_phys);
    mbi_size = *(const uint32_t *)mbi;
    if (mbi_size < 16 || mbi_size > (1u << 20) || !phys_range_ok(mbi_phys, mbi_size))
        malformed("total_size out of range", 0);
    /* Walk once: every tag inside total_size, at least 8 bytes, and an end tag at the end. */
    for (uint32_t off = 8;;) {
        if (off + 8 > mbi_size)
            malformed("tags run past total_size without an end tag", off);
        const struct mbi_tag *t = (const void *)(mbi + off);
        if (t->size < 8 || t->size > mbi_size - off)
            malformed("tag size out of range", off);
        if (t->type == MB2_TAG_END)
            break;
        off += (t->size + 7) & ~7u;
    }
}

/* First tag of `type` after `after` (NULL: from the start). */
const struct mbi_tag *mbi_find(const struct mbi_tag *after, uint32_t type)
{
    uint32_t off = after ? (uint32_t)((const uint8_t *)after - mbi) + ((after->size + 7) & ~7u) : 8;
    while (off + 8 <= mbi_size) {
        const struct mbi_tag *t = (const void *)(mbi + off);
        if (t->type == MB2_TAG_END)
            return NULL;
        if (t->type == type)
            return t;
        off += (t->size + 7) & ~7u;
    }
    return NULL;
}

/* A string tag's text, limited to the tag (a loader that forgets the NUL must not make us overrun). */
static int tag_string_len(const struct mbi_tag *t, size_t header)
{
    const char *s = (const char *)t + header;
    int n = 0;
    while ((size_t)n < t->size - header && s[n])
        n++;
    return n;
}

void mbi_report_boot(uint32_t magic)
{
    static const char prefix[] = "nova-image/";
    const struct mbi_tag *t = mbi_find(NULL, MB2_TAG_LOADER_NAME);
    if (!t) {
        kprintf("boot: path=multiboot2 loader=(no tag 2) magic=0x%x\n", magic);
        return;
    }
    const char *name = ((const struct mb2_string_tag *)t)->string;
    int len = tag_string_len(t, 8);
    /* Our own loader stub says "nova-image/<path> via <original>"; anything else is a plain MB2 loader. */
    const char *path = "multiboot2";
    int path_len = 10;
    if (len > (int)sizeof prefix - 1 && starts_with(name, prefix)) {
        path = name + sizeof prefix - 1;
        path_len = 0;
        while (path + path_len < name + len && path[path_len] != ' ')
            path_len++;
    }
    kprintf("boot: path=%.*s loader=%.*s magic=0x%x\n", path_len, path, len, name, magic);
    kprintf("boot: multiboot2 information at 0x%llx, %u bytes\n", (unsigned long long)mbi_phys_addr, mbi_size);
}

bool mbi_module(unsigned index, uint64_t *start, uint64_t *end, const char **name)
{
    const struct mbi_tag *t = NULL;
    for (unsigned i = 0; i <= index; i++)
        if (!(t = mbi_find(t, MB2_TAG_MODULE)))
            return false;
    const struct mb2_module_tag *m = (const void *)t;
    if (t->size < sizeof *m)
        return false;
    *start = m->mod_start;
    *end = m->mod_end;
    *name = m->name;
    return true;
}

void mbi_report_modules(void)
{
    unsigned n = 0;
    for (const struct mbi_tag *t = mbi_find(NULL, MB2_TAG_MODULE); t; t = mbi_find(t, MB2_TAG_MODULE), n++) {
        const struct mb2_module_tag *m = (const void *)t;
        if (t->size < sizeof *m) {
            kprintf("module: %u: tag too short (%u bytes)\n", n, t->size);
            continue;
        }
        uint32_t size = m->mod_end >= m->mod_start ? m->mod_end - m->mod_start : 0;
        kprintf("module: %u name=\"%.*s\" start=0x%x end=0x%x size=%u%s\n", n, tag_string_len(t, 16), m->name,
                m->mod_start, m->mod_end, size, n == 0 ? " (root task)" : "");
    }
    kprintf("modules: %u\n", n);
}

void mbi_report_cmdline(void)
{
    const struct mbi_tag *t = mbi_find(NULL, MB2_TAG_CMDLINE);
    if (!t)
        kprintf("cmdline: (no tag 1)\n");
    else
        kprintf("cmdline: \"%.*s\"\n", tag_string_len(t, 8), ((const struct mb2_string_tag *)t)->string);
}
