/*
 * ACPI table overrides (payload catalog type 5). The firmware's tables stay where they are; the stub
 * builds, in memory it reports as ACPI reclaimable, copies of the override tables, a new XSDT (and RSDT)
 * listing the firmware's tables with the overridden ones swapped, a patched FADT copy when the DSDT or the
 * FADT is overridden, and a new RSDP that the kernel receives in Multiboot2 tags 14/15.
 *
 * Which firmware table an override replaces: the one with the same signature; for SSDTs (a machine has
 * several) the one with the same signature and OEM Table ID, otherwise the SSDT is added. A DSDT override
 * is reached through the FADT's DSDT/X_DSDT fields. An overriding FADT keeps the live machine's FACS and
 * DSDT pointers, because a table compiled offline cannot know those addresses. The composer
 * (loader/acpi-overrides.ts) refuses RSDT, XSDT and FACS, bad lengths and bad checksums before this runs.
 */
#include "stub.h"

struct sdt_header {
    char signature[4];
    u32 length;
    u8 revision, checksum;
    char oem_id[6], oem_table_id[8];
    u32 oem_revision;
    char creator_id[4];
    u32 creator_revision;
} __attribute__((packed));

struct rsdp {
    char signature[8];
    u8 checksum;
    char oem_id[6];
    u8 revision;
    u32 rsdt;
    u32 length;
    u64 xsdt;
    u8 extended_checksum, reserved[3];
} __attribute__((packed));

_Static_assert(sizeof(struct sdt_header) == 36, "SDT header");
_Static_assert(sizeof(struct rsdp) == 36, "RSDP");

/* FADT fields (ACPI 6.5, 5.2.9) the stub rewrites, and the length each needs. */
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT 140
#define FADT_X_DSDT_END 148
#define FADT_MAX_LENGTH 512

#define MAX_TABLES 64

static int is_sig(const void *p, const char *sig) { return !memcmp(p, sig, 4); }

static u8 checksum_of(const void *p, usize n)
{
    u8 s = 0;
    for (usize i = 0; i < n; i++) s += ((const u8 *)p)[i];
    return (u8)-s;
}

static void seal(struct sdt_header *h)
{
    h->checksum = 0;
    h->checksum = checksum_of(h, h->length);
}

static u32 override_count(void)
{
    u32 n = 0;
    for (u32 i = 0; i < payload_count; i++) n += payloads[i].type == CAT_ACPI;
    return n;
}

int acpi_overrides_present(void) { return override_count() != 0; }

/* The firmware's root table entries (XSDT, or RSDT for ACPI 1.0), as 64-bit addresses. */
static u32 firmware_entries(u64 *out)
{
    if (!facts.rsdp_length) return 0;
    const struct rsdp *r = (const void *)facts.rsdp;
    int x = facts.rsdp_length == 36 && r->xsdt;
    const struct sdt_header *root = (const void *)(x ? r->xsdt : (u64)r->rsdt);
    if (!root) return 0;
    u32 size = x ? 8 : 4;
    u32 n = (root->length - sizeof *root) / size;
    if (n > MAX_TABLES) fatal("ACPI: firmware root table has too many entries", n);
    for (u32 i = 0; i < n; i++) {
        const u8 *e = (const u8 *)(root + 1) + i * size;
        out[i] = x ? *(const u64 *)e : *(const u32 *)e;
    }
    return n;
}

static const struct sdt_header *firmware_fadt(const u64 *entries, u32 n)
{
    for (u32 i = 0; i < n; i++)
        if (entries[i] && is_sig((const void *)entries[i], "FACP")) return (const void *)entries[i];
    return NULL;
}

static int replaces(const struct sdt_header *override, const struct sdt_header *firmware)
{
    if (!is_sig(override->signature, firmware->signature)) return 0;
    return !is_sig(override->signature, "SSDT") || !memcmp(override->oem_table_id, firmware->oem_table_id, 8);
}

u64 acpi_overrides_size(void)
{
    u64 size = 0;
    for (u32 i = 0; i < payload_count; i++)
        if (payloads[i].type == CAT_ACPI) size += ALIGN_UP(payloads[i].size, 16);
    u64 max_entries = MAX_TABLES + override_count();
    return size + FADT_MAX_LENGTH + 2 * (sizeof(struct sdt_header) + 8 * max_entries) + sizeof(struct rsdp) + 64;
}

static void set_u32(u8 *t, u32 off, u32 len, u64 v) { if (off + 4 <= len) *(u32 *)(t + off) = (u32)v; }
static void set_u64(u8 *t, u32 off, u32 len, u64 v) { if (off + 8 <= len) *(u64 *)(t + off) = v; }
static u64 get_u32(const u8 *t, u32 off, u32 len) { return off + 4 <= len ? *(const u32 *)(t + off) : 0; }
static u64 get_u64(const u8 *t, u32 off, u32 len) { return off + 8 <= len ? *(const u64 *)(t + off) : 0; }

/* Points a FADT at a DSDT and FACS through both the 32-bit and the 64-bit fields (0 when above 4 GiB). */
static void fadt_point(u8 *fadt, u64 dsdt, u64 facs)
{
    u32 len = ((struct sdt_header *)fadt)->length;
    set_u32(fadt, FADT_DSDT, len, dsdt < 0x100000000ULL ? dsdt : 0);
    set_u64(fadt, FADT_X_DSDT, len, dsdt);
    set_u32(fadt, FADT_FIRMWARE_CTRL, len, facs < 0x100000000ULL ? facs : 0);
    set_u64(fadt, FADT_X_FIRMWARE_CTRL, len, facs);
    seal((struct sdt_header *)fadt);
}

/*
 * Builds the new tables in [area, area + acpi_overrides_size()) (identity-mapped, below 4 GiB) and makes
 * the new RSDP the one the kernel is told about. Returns the new RSDP's address.
 */
u64 acpi_apply_overrides(u8 *area)
{
    static u64 entries[MAX_TABLES];
    u32 n = firmware_entries(entries);
    const struct sdt_header *fw_fadt = firmware_fadt(entries, n);
    u64 fw_dsdt = 0, fw_facs = 0;
    if (fw_fadt) {
        const u8 *f = (const u8 *)fw_fadt;
        fw_dsdt = get_u64(f, FADT_X_DSDT, fw_fadt->length);
        if (!fw_dsdt) fw_dsdt = get_u32(f, FADT_DSDT, fw_fadt->length);
        fw_facs = get_u64(f, FADT_X_FIRMWARE_CTRL, fw_fadt->length);
        if (!fw_facs) fw_facs = get_u32(f, FADT_FIRMWARE_CTRL, fw_fadt->length);
    }

    u8 *p = area;
    u64 new_dsdt = 0;
    u8 *new_fadt = NULL;
    u64 added[MAX_PAYLOADS];
    u32 nadded = 0;
    for (u32 i = 0; i < payload_count; i++) {
        const struct payload *o = &payloads[i];
        if (o->type != CAT_ACPI) continue;
        if (o->size < sizeof(struct sdt_header) || ((const struct sdt_header *)o->data)->length != o->size)
            fatal2("ACPI override with a bad length:", o->name);
        memcpy(p, o->data, o->size);
        const struct sdt_header *h = (const void *)p;
        if (is_sig(h->signature, "DSDT")) {
            new_dsdt = (u64)p;
        } else if (is_sig(h->signature, "FACP")) {
            if (h->length > FADT_MAX_LENGTH) fatal("ACPI FADT override longer than the stub takes, length", h->length);
            new_fadt = p;
        } else {
            int replaced = 0;
            for (u32 e = 0; e < n && !replaced; e++)
                if (entries[e] && replaces(h, (const void *)entries[e])) {
                    entries[e] = (u64)p;
                    replaced = 1;
                }
            if (!replaced) added[nadded++] = (u64)p;
        }
        p += ALIGN_UP(o->size, 16);
    }

    /* The FADT in effect: the override, or a copy of the firmware's when only the DSDT changes. */
    if (!new_fadt && new_dsdt && fw_fadt) {
        if (fw_fadt->length > FADT_MAX_LENGTH) fatal("ACPI firmware FADT longer than the stub takes, length", fw_fadt->length);
        memcpy(p, fw_fadt, fw_fadt->length);
        new_fadt = p;
        p += ALIGN_UP(fw_fadt->length, 16);
    }
    if (new_dsdt && !new_fadt) fatal2("ACPI DSDT override without a FADT to point at it", "the firmware has no FACP and none is overridden");
    if (new_fadt) {
        fadt_point(new_fadt, new_dsdt ? new_dsdt : fw_dsdt, fw_facs);
        int replaced = 0;
        for (u32 e = 0; e < n && !replaced; e++)
            if (entries[e] && is_sig((const void *)entries[e], "FACP")) {
                entries[e] = (u64)new_fadt;
                replaced = 1;
            }
        if (!replaced) added[nadded++] = (u64)new_fadt;
    }

    const struct rsdp *old = facts.rsdp_length ? (const void *)facts.rsdp : NULL;
    u32 total = n + nadded;
    int fits32 = 1;
    struct sdt_header *xsdt = (void *)p;
    memset(xsdt, 0, sizeof *xsdt);
    u64 *xe = (u64 *)(xsdt + 1);
    for (u32 i = 0; i < total; i++) {
        xe[i] = i < n ? entries[i] : added[i - n];
        if (xe[i] >= 0x100000000ULL) fits32 = 0;
    }
    memcpy(xsdt->signature, "XSDT", 4);
    xsdt->length = (u32)(sizeof *xsdt + 8 * total);
    xsdt->revision = 1;
    memcpy(xsdt->oem_id, old ? old->oem_id : "NOVAIM", 6);
    memcpy(xsdt->oem_table_id, "NOVAOVRD", 8);
    xsdt->oem_revision = 1;
    memcpy(xsdt->creator_id, "NOVA", 4);
    xsdt->creator_revision = 1;
    seal(xsdt);
    p += ALIGN_UP(xsdt->length, 16);

    struct sdt_header *rsdt = NULL;
    if (fits32) {
        rsdt = (void *)p;
        *rsdt = *xsdt;
        memcpy(rsdt->signature, "RSDT", 4);
        rsdt->length = (u32)(sizeof *rsdt + 4 * total);
        u32 *re = (u32 *)(rsdt + 1);
        for (u32 i = 0; i < total; i++) re[i] = (u32)xe[i];
        seal(rsdt);
        p += ALIGN_UP(rsdt->length, 16);
    }

    struct rsdp *r = (void *)p;
    memset(r, 0, sizeof *r);
    memcpy(r->signature, "RSD PTR ", 8);
    memcpy(r->oem_id, old ? old->oem_id : "NOVAIM", 6);
    r->revision = 2;
    r->rsdt = rsdt ? (u32)(u64)rsdt : 0;
    r->length = sizeof *r;
    r->xsdt = (u64)xsdt;
    r->checksum = checksum_of(r, 20);
    r->extended_checksum = checksum_of(r, sizeof *r);
    set_rsdp((const u8 *)r);
    return (u64)r;
}
