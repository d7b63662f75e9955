/*
 * ACPI table overrides: the firmware's tables stay where they are; new copies, root tables and RSDP are
 * built beside them (rules in acpi-override.h). Fields are read and written with memcpy because tables are
 * packed and the aarch64 stub may run with strict alignment.
 */
#include "stub.h"
#include "acpi-override.h"

#define SDT_HEADER 36
#define SDT_LENGTH 4
#define SDT_CHECKSUM 9
#define SDT_OEM_ID 10
#define SDT_OEM_TABLE_ID 16
#define SDT_OEM_REVISION 24
#define SDT_CREATOR_ID 28
#define SDT_CREATOR_REVISION 32

/* RSDP (ACPI 6.5, 5.2.5.3) */
#define RSDP_CHECKSUM 8
#define RSDP_OEM_ID 9
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define RSDP_EXT_CHECKSUM 32
#define RSDP_SIZE 36

/* FADT fields (ACPI 6.5, 5.2.9) the overrides rewrite */
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT 140
#define FADT_MAX_LENGTH 512

#define MAX_TABLES 64
#define FOUR_GIB 0x100000000ULL

static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static u64 rd64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }
static void wr32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void wr64(u8 *p, u64 v) { memcpy(p, &v, 8); }
static u32 length_of(const u8 *t) { return rd32(t + SDT_LENGTH); }
static int is_sig(const u8 *t, const char *sig) { return !memcmp(t, sig, 4); }
static u64 align16(u64 v) { return (v + 15) & ~15ULL; }

static u8 checksum_of(const u8 *p, u64 n)
{
    u8 s = 0;
    for (u64 i = 0; i < n; i++) s += p[i];
    return (u8)-s;
}

static void seal(u8 *t)
{
    t[SDT_CHECKSUM] = 0;
    t[SDT_CHECKSUM] = checksum_of(t, length_of(t));
}

u64 acpi_override_area_size(const struct acpi_table_file *tables, u32 count)
{
    u64 size = 0;
    for (u32 i = 0; i < count; i++) size += align16(tables[i].size);
    u64 max_entries = MAX_TABLES + count + 1;
    return size + FADT_MAX_LENGTH + 2 * align16(SDT_HEADER + 8 * max_entries) + RSDP_SIZE + 64;
}

/* The firmware's root table entries (XSDT, or RSDT for ACPI 1.0) as 64-bit addresses. */
static const char *firmware_entries(const u8 *rsdp, u32 rsdp_length, u64 *out, u32 *count)
{
    *count = 0;
    if (!rsdp) return NULL;
    u64 xsdt = rsdp_length >= RSDP_SIZE && rsdp[RSDP_REVISION] >= 2 ? rd64(rsdp + RSDP_XSDT) : 0;
    const u8 *root = (const u8 *)(xsdt ? xsdt : (u64)rd32(rsdp + RSDP_RSDT));
    if (!root) return NULL;
    u32 size = xsdt ? 8 : 4;
    u32 n = (length_of(root) - SDT_HEADER) / size;
    if (n > MAX_TABLES) return "the firmware's root table lists more tables than the stub takes (64)";
    for (u32 i = 0; i < n; i++) {
        const u8 *e = root + SDT_HEADER + i * size;
        out[i] = xsdt ? rd64(e) : rd32(e);
    }
    *count = n;
    return NULL;
}

static int replaces(const u8 *override, const u8 *firmware)
{
    if (!is_sig(override, (const char *)firmware)) return 0;
    return !is_sig(override, "SSDT") || !memcmp(override + SDT_OEM_TABLE_ID, firmware + SDT_OEM_TABLE_ID, 8);
}

/* Points a FADT at a DSDT and a FACS through both the 32-bit and the 64-bit fields (32-bit: 0 above 4 GiB). */
static void fadt_point(u8 *fadt, u64 dsdt, u64 facs)
{
    u32 len = length_of(fadt);
    if (FADT_DSDT + 4 <= len) wr32(fadt + FADT_DSDT, dsdt < FOUR_GIB ? (u32)dsdt : 0);
    if (FADT_FIRMWARE_CTRL + 4 <= len) wr32(fadt + FADT_FIRMWARE_CTRL, facs < FOUR_GIB ? (u32)facs : 0);
    if (FADT_X_DSDT + 8 <= len) wr64(fadt + FADT_X_DSDT, dsdt);
    if (FADT_X_FIRMWARE_CTRL + 8 <= len) wr64(fadt + FADT_X_FIRMWARE_CTRL, facs);
    seal(fadt);
}

static u64 fadt_pointer(const u8 *fadt, u32 off32, u32 off64)
{
    u32 len = length_of(fadt);
    u64 v = off64 + 8 <= len ? rd64(fadt + off64) : 0;
    return v ? v : off32 + 4 <= len ? rd32(fadt + off32) : 0;
}

static void write_root(u8 *t, const char *sig, const u8 *fw_rsdp, const u64 *entries, u32 n, u32 size)
{
    memset(t, 0, SDT_HEADER);
    memcpy(t, sig, 4);
    wr32(t + SDT_LENGTH, SDT_HEADER + size * n);
    t[8] = 1;
    memcpy(t + SDT_OEM_ID, fw_rsdp ? fw_rsdp + RSDP_OEM_ID : (const u8 *)"NOVAIM", 6);
    memcpy(t + SDT_OEM_TABLE_ID, "NOVAOVRD", 8);
    wr32(t + SDT_OEM_REVISION, 1);
    memcpy(t + SDT_CREATOR_ID, "NOVA", 4);
    wr32(t + SDT_CREATOR_REVISION, 1);
    for (u32 i = 0; i < n; i++) {
        if (size == 8) wr64(t + SDT_HEADER + 8 * i, entries[i]);
        else wr32(t + SDT_HEADER + 4 * i, (u32)entries[i]);
    }
    seal(t);
}

const char *acpi_override_build(u8 *area, const u8 *fw_rsdp, u32 fw_rsdp_length, const struct acpi_table_file *tables,
                                u32 count, u8 **rsdp_out)
{
    static u64 entries[MAX_TABLES + 32 + 1];
    u32 n;
    const char *err = firmware_entries(fw_rsdp, fw_rsdp_length, entries, &n);
    if (err) return err;
    const u8 *fw_fadt = NULL;
    for (u32 i = 0; i < n && !fw_fadt; i++)
        if (entries[i] && is_sig((const u8 *)entries[i], "FACP")) fw_fadt = (const u8 *)entries[i];
    u64 fw_dsdt = fw_fadt ? fadt_pointer(fw_fadt, FADT_DSDT, FADT_X_DSDT) : 0;
    u64 fw_facs = fw_fadt ? fadt_pointer(fw_fadt, FADT_FIRMWARE_CTRL, FADT_X_FIRMWARE_CTRL) : 0;

    u8 *p = area;
    u64 new_dsdt = 0;
    u8 *new_fadt = NULL;
    u32 total = n;
    for (u32 i = 0; i < count; i++) {
        const struct acpi_table_file *o = &tables[i];
        if (o->size < SDT_HEADER || length_of(o->data) != o->size) return "an ACPI override's length field differs from its size";
        memcpy(p, o->data, o->size);
        if (is_sig(p, "DSDT")) {
            new_dsdt = (u64)p;
        } else if (is_sig(p, "FACP")) {
            if (o->size > FADT_MAX_LENGTH) return "an ACPI FADT override is longer than 512 bytes";
            new_fadt = p;
        } else {
            u32 e = 0;
            while (e < n && !(entries[e] && replaces(p, (const u8 *)entries[e]))) e++;
            if (e < n) entries[e] = (u64)p;
            else entries[total++] = (u64)p;
        }
        p += align16(o->size);
    }

    /* The FADT in effect: the override, or a copy of the firmware's when only the DSDT changes. */
    if (!new_fadt && new_dsdt) {
        if (!fw_fadt) return "an ACPI DSDT override needs a FADT to point at it (the firmware has none, none is overridden)";
        if (length_of(fw_fadt) > FADT_MAX_LENGTH) return "the firmware's FADT is longer than 512 bytes";
        memcpy(p, fw_fadt, length_of(fw_fadt));
        new_fadt = p;
        p += align16(length_of(fw_fadt));
    }
    if (new_fadt) {
        fadt_point(new_fadt, new_dsdt ? new_dsdt : fw_dsdt, fw_facs);
        u32 e = 0;
        while (e < n && !(entries[e] && is_sig((const u8 *)entries[e], "FACP"))) e++;
        if (e < n) entries[e] = (u64)new_fadt;
        else entries[total++] = (u64)new_fadt;
    }

    int fits32 = 1;
    for (u32 i = 0; i < total; i++) fits32 &= entries[i] < FOUR_GIB;
    u8 *xsdt = p;
    write_root(xsdt, "XSDT", fw_rsdp, entries, total, 8);
    p += align16(length_of(xsdt));
    u8 *rsdt = NULL;
    if (fits32) {
        rsdt = p;
        write_root(rsdt, "RSDT", fw_rsdp, entries, total, 4);
        p += align16(length_of(rsdt));
    }

    u8 *r = p;
    memset(r, 0, RSDP_SIZE);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + RSDP_OEM_ID, fw_rsdp ? fw_rsdp + RSDP_OEM_ID : (const u8 *)"NOVAIM", 6);
    r[RSDP_REVISION] = 2;
    wr32(r + RSDP_RSDT, rsdt ? (u32)(u64)rsdt : 0);
    wr32(r + RSDP_LENGTH, RSDP_SIZE);
    wr64(r + RSDP_XSDT, (u64)xsdt);
    r[RSDP_CHECKSUM] = checksum_of(r, 20);
    r[RSDP_EXT_CHECKSUM] = checksum_of(r, RSDP_SIZE);
    *rsdp_out = r;
    return NULL;
}
