/*
 * ACPI: the RSDP copy in MB2 tag 15 (ACPI 2.0+) or 14 (ACPI 1.0), the tables listed by the XSDT (RSDT
 * for ACPI 1.0), the DSDT through the FADT, and just enough AML to read \_S5 for the power-off fallback.
 * Every table is bounds-checked against the direct map and checksummed before it is believed.
 */
#include "kernel.h"
#include "multiboot2.h"

struct rsdp {
    char signature[8];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;   /* revision >= 2 from here on */
    uint64_t xsdt;
    uint8_t extended_checksum;
    uint8_t reserved[3];
} __attribute__((packed));

struct sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem_id[6], oem_table_id[8];
    uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));

/* FADT fields (ACPI 6.5, 5.2.9) by offset */
#define FADT_DSDT 40
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_X_DSDT 140

#define MAX_TABLE_LENGTH (16u << 20)

static uint8_t sum(const void *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += ((const uint8_t *)p)[i];
    return s;
}

/* The table at `phys` if its header and length fit the direct map; NULL (and a line saying why) if not. */
static const struct sdt_header *map_table(uint64_t phys, const char *what)
{
    if (!phys_range_ok(phys, sizeof(struct sdt_header))) {
        kprintf("acpi: %s at 0x%llx is outside the mapped 4 GiB\n", what, (unsigned long long)phys);
        return NULL;
    }
    const struct sdt_header *h = phys_to_virt(phys);
    if (h->length < sizeof *h || h->length > MAX_TABLE_LENGTH || !phys_range_ok(phys, h->length)) {
        kprintf("acpi: %s at 0x%llx has a bad length %u\n", what, (unsigned long long)phys, h->length);
        return NULL;
    }
    return h;
}

static void print_table(const struct sdt_header *h, uint64_t phys, const char *via)
{
    kprintf("acpi: %.*s at 0x%016llx length=%u revision=%u oem=\"%.*s\" checksum=%s%s\n", 4, h->signature,
            (unsigned long long)phys, h->length, h->revision, 6, h->oem_id, sum(h, h->length) ? "BAD" : "ok", via);
}

/* AML PkgLength (ACPI 6.5, 20.2.4): returns its encoded size in bytes. */
static unsigned pkg_length_bytes(uint8_t lead) { return 1 + (lead >> 6); }

/* One small integer element of a package: ZeroOp, OneOp, BytePrefix n. Returns bytes consumed or 0. */
static unsigned aml_small_int(const uint8_t *p, const uint8_t *end, uint8_t *out)
{
    if (p >= end)
        return 0;
    switch (p[0]) {
    case 0x00: *out = 0; return 1;               /* ZeroOp */
    case 0x01: *out = 1; return 1;               /* OneOp */
    case 0x0a: if (p + 1 >= end) return 0; *out = p[1]; return 2; /* BytePrefix */
    default: return 0;
    }
}

/* Find `Name(_S5, Package(){a, b, ...})` in the DSDT body: NameOp ['\'] '_S5_' PackageOp PkgLength
   NumElements elements. A byte scan, not an AML interpreter: enough for the tables firmware ships. */
static bool find_s5(const struct sdt_header *dsdt, uint8_t *a, uint8_t *b)
{
    const uint8_t *p = (const uint8_t *)(dsdt + 1), *end = (const uint8_t *)dsdt + dsdt->length;
    for (; p + 8 < end; p++) {
        if (p[0] != 0x08)
            continue;
        const uint8_t *name = p[1] == '\\' ? p + 2 : p + 1; /* optional RootChar */
        if (memcmp(name, "_S5_", 4) || name[4] != 0x12)
            continue;
        const uint8_t *q = name + 5;
        q += pkg_length_bytes(*q);
        q++; /* NumElements */
        unsigned n = aml_small_int(q, end, a);
        if (!n)
            continue;
        if (!aml_small_int(q + n, end, b))
            *b = *a;
        return true;
    }
    return false;
}

static void report_fadt(const struct sdt_header *fadt)
{
    const uint8_t *f = (const uint8_t *)fadt;
    uint64_t dsdt_phys = 0;
    if (fadt->length >= FADT_X_DSDT + 8)
        dsdt_phys = *(const uint64_t *)(f + FADT_X_DSDT);
    if (!dsdt_phys && fadt->length >= FADT_DSDT + 4)
        dsdt_phys = *(const uint32_t *)(f + FADT_DSDT);
    uint16_t pm1a = fadt->length >= FADT_PM1A_CNT_BLK + 4 ? (uint16_t)*(const uint32_t *)(f + FADT_PM1A_CNT_BLK) : 0;
    uint16_t pm1b = fadt->length >= FADT_PM1B_CNT_BLK + 4 ? (uint16_t)*(const uint32_t *)(f + FADT_PM1B_CNT_BLK) : 0;

    const struct sdt_header *dsdt = dsdt_phys ? map_table(dsdt_phys, "DSDT") : NULL;
    if (!dsdt) {
        kprintf("acpi: no DSDT, so no \\_S5\n");
        return;
    }
    print_table(dsdt, dsdt_phys, " (via FACP)");
    uint8_t a, b;
    if (!find_s5(dsdt, &a, &b)) {
        kprintf("acpi: no \\_S5 package in the DSDT\n");
        return;
    }
    kprintf("acpi: S5 SLP_TYPa=%u SLP_TYPb=%u PM1a_CNT=0x%x PM1b_CNT=0x%x\n", a, b, pm1a, pm1b);
    acpi_set_s5(pm1a, pm1b, a, b);
}

void acpi_report(void)
{
    const struct mbi_tag *t = mbi_find(NULL, MB2_TAG_ACPI_NEW);
    unsigned tag = MB2_TAG_ACPI_NEW;
    if (!t) {
        t = mbi_find(NULL, MB2_TAG_ACPI_OLD);
        tag = MB2_TAG_ACPI_OLD;
    }
    if (!t) {
        kprintf("acpi: no RSDP (no MB2 tag 14 or 15)\n");
        return;
    }
    const struct rsdp *r = (const void *)((const struct mb2_acpi_tag *)t)->rsdp;
    size_t room = t->size - 8;
    if (room < 20 || memcmp(r->signature, "RSD PTR ", 8) || sum(r, 20)) {
        kprintf("acpi: RSDP in tag %u is invalid (signature or checksum)\n", tag);
        return;
    }
    bool v2 = r->revision >= 2 && room >= sizeof *r && r->length >= sizeof *r && r->length <= room &&
              !sum(r, r->length);
    /* The loader copies the RSDP into the tag; the copy's address is all MB2 tells us. */
    kprintf("acpi: rsdp at 0x%llx (copy in MB2 tag %u) revision=%u oem=\"%.*s\" rsdt=0x%x xsdt=0x%llx\n",
            (unsigned long long)direct_virt_to_phys(r), tag, r->revision, 6, r->oem_id, r->rsdt,
            (unsigned long long)(v2 ? r->xsdt : 0));

    uint64_t root_phys = v2 && r->xsdt ? r->xsdt : r->rsdt;
    unsigned entry_size = v2 && r->xsdt ? 8 : 4;
    const char *root_name = entry_size == 8 ? "XSDT" : "RSDT";
    const struct sdt_header *root = map_table(root_phys, root_name);
    if (!root)
        return;
    print_table(root, root_phys, "");
    unsigned n = (root->length - sizeof *root) / entry_size;
    char sigs[64 * 5 + 1];
    unsigned sig_len = 0;
    const struct sdt_header *fadt = NULL;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = (const uint8_t *)(root + 1) + i * entry_size;
        uint64_t phys = entry_size == 8 ? *(const uint64_t *)e : *(const uint32_t *)e;
        const struct sdt_header *h = map_table(phys, "table");
        if (!h)
            continue;
        print_table(h, phys, "");
        if (!memcmp(h->signature, "FACP", 4) && !fadt)
            fadt = h;
        if (sig_len + 5 < sizeof sigs) {
            memcpy(sigs + sig_len, h->signature, 4);
            sigs[sig_len + 4] = ' ';
            sig_len += 5;
        }
    }
    kprintf("acpi: %s lists %u tables: %.*s\n", root_name, n, sig_len ? (int)sig_len - 1 : 0, sigs);
    if (fadt)
        report_fadt(fadt);
    else
        kprintf("acpi: no FACP, so no S5 power-off\n");
}
