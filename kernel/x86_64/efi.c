/*
 * The UEFI hand-off. A loader either exited boot services (tag 17 EFI memory map, no tag 18) or kept them
 * (tag 18) because the kernel's header asked with tag 7. Only the keepbs build asks; it then does the
 * DMA-safe hand-over itself, as NOVA does: clear Bus Master Enable on every PCI function, GetMemoryMap,
 * ExitBootServices (retried once with a fresh map key on EFI_INVALID_PARAMETER, the spec's "map changed"
 * answer). Firmware is called through the identity map, which is still in place, with the MS x64 ABI.
 */
#include "kernel.h"
#include "multiboot2.h"
#include "x86.h"

typedef uint64_t efi_status;
#define EFI_SUCCESS 0
#define EFI_INVALID_PARAMETER 0x8000000000000002ull

/* EFI_SYSTEM_TABLE.BootServices and EFI_BOOT_SERVICES entries (UEFI 2.10, 4.3 and 4.4), byte offsets */
#define ST_SIGNATURE 0
#define ST_BOOT_SERVICES 96
#define BS_GET_MEMORY_MAP 56
#define BS_EXIT_BOOT_SERVICES 232
#define EFI_SYSTEM_TABLE_SIGNATURE 0x5453595320494249ull /* "IBI SYST" */

typedef efi_status(__attribute__((ms_abi)) *get_memory_map_fn)(uint64_t *size, void *map, uint64_t *key,
                                                                uint64_t *descriptor_size, uint32_t *version);
typedef efi_status(__attribute__((ms_abi)) *exit_boot_services_fn)(uint64_t image, uint64_t key);

#ifdef KEEP_BOOT_SERVICES
static uint8_t efi_map[64 * 1024] __attribute__((aligned(16)));

static efi_status get_map_and_exit(uint64_t boot_services, uint64_t image)
{
    get_memory_map_fn get_memory_map = *(get_memory_map_fn *)(uintptr_t)(boot_services + BS_GET_MEMORY_MAP);
    exit_boot_services_fn exit_boot_services =
        *(exit_boot_services_fn *)(uintptr_t)(boot_services + BS_EXIT_BOOT_SERVICES);
    uint64_t size = sizeof efi_map, key = 0, descriptor_size = 0;
    uint32_t version = 0;
    efi_status s = get_memory_map(&size, efi_map, &key, &descriptor_size, &version);
    if (s != EFI_SUCCESS) {
        kprintf("efi: GetMemoryMap failed with status 0x%llx\n", (unsigned long long)s);
        return s;
    }
    return exit_boot_services(image, key);
}

static void exit_boot_services(void)
{
    const struct mbi_tag *st_tag = mbi_find(NULL, MB2_TAG_EFI64_SYSTEM_TABLE);
    const struct mbi_tag *ih_tag = mbi_find(NULL, MB2_TAG_EFI64_IMAGE_HANDLE);
    if (!st_tag || !ih_tag || st_tag->size < 16 || ih_tag->size < 16) {
        kprintf("efi: boot services active but tag 12 or tag 20 missing; cannot exit them\n");
        end_run(STATUS_KERNEL_FAILURE);
    }
    uint64_t st = ((const struct mb2_u64_tag *)st_tag)->value, image = ((const struct mb2_u64_tag *)ih_tag)->value;
    if (!phys_range_ok(st, 104) || *(const uint64_t *)phys_to_virt(st + ST_SIGNATURE) != EFI_SYSTEM_TABLE_SIGNATURE) {
        kprintf("efi: tag 12 does not point at an EFI system table (0x%llx)\n", (unsigned long long)st);
        end_run(STATUS_KERNEL_FAILURE);
    }
    uint64_t boot_services = *(const uint64_t *)phys_to_virt(st + ST_BOOT_SERVICES);

    unsigned functions, cleared;
    pci_disable_bus_masters(&functions, &cleared);
    kprintf("pci: bus master enable cleared on %u of %u functions before ExitBootServices\n", cleared, functions);

    /* Firmware may enable interrupts inside these calls (RestoreTPL); idt.c acknowledges and drops them. */
    efi_status s = get_map_and_exit(boot_services, image);
    unsigned attempts = 1;
    if (s == EFI_INVALID_PARAMETER) {
        attempts++;
        s = get_map_and_exit(boot_services, image);
    }
    cli();
    if (s != EFI_SUCCESS) {
        kprintf("efi: ExitBootServices failed with status 0x%llx after %u attempt(s)\n", (unsigned long long)s, attempts);
        end_run(STATUS_KERNEL_FAILURE);
    }
    kprintf("efi: kernel called ExitBootServices itself: success after %u attempt(s)\n", attempts);
}
#endif

void efi_handoff(void)
{
    const struct mbi_tag *st = mbi_find(NULL, MB2_TAG_EFI64_SYSTEM_TABLE);
    const struct mbi_tag *ih = mbi_find(NULL, MB2_TAG_EFI64_IMAGE_HANDLE);
    bool bs_active = mbi_find(NULL, MB2_TAG_EFI_BS_NOT_TERMINATED) != NULL;
    if (!st && !ih && !bs_active) {
        kprintf("efi: not an EFI boot (no MB2 tag 12, 18 or 20)\n");
        return;
    }
    if (st && st->size >= 16)
        kprintf("efi: system table at 0x%llx (tag 12)\n", (unsigned long long)((const struct mb2_u64_tag *)st)->value);
    if (ih && ih->size >= 16)
        kprintf("efi: image handle 0x%llx (tag 20)\n", (unsigned long long)((const struct mb2_u64_tag *)ih)->value);
    if (!bs_active) {
        kprintf("efi: boot services already exited by the loader\n");
        return;
    }
#ifdef KEEP_BOOT_SERVICES
    kprintf("efi: boot services still active (tag 18), as this kernel asked with header tag 7\n");
    exit_boot_services();
#else
    /* This build has no header tag 7, so a loader should not have kept them; we do not call firmware. */
    kprintf("efi: boot services still active (tag 18) although this kernel did not ask (no header tag 7); not calling EFI\n");
#endif
}
