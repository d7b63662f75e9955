/* System register bits the kernel uses (Arm ARM D17, ARMv8.0 values). Shared by C and assembly. */
#pragma once
#define HCR_RW (1 << 31)
#define SCTLR_EL1_RES1 0x30d00800
#define SCTLR_M (1 << 0)
#define SCTLR_C (1 << 2)
#define SCTLR_I (1 << 12)
#define SPSR_EL1H_MASKED 0x3c5

/* ESR_ELx exception classes */
#define EC_SVC64 0x15
#define EC_IABT_LOWER 0x20
#define EC_DABT_LOWER 0x24

/* PSCI 0.2+ function identifiers (SMC32 calling convention) */
#define PSCI_VERSION 0x84000000
#define PSCI_SYSTEM_OFF 0x84000008
