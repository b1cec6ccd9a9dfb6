/* embed.S: embeds each user program's ELF file (see apps_list.h) in .rodata. The
 * assembler finds <name>.elf on its include path (-Wa,-I,build/os/user). */
#include "apps_list.h"

#define STR(x) #x
#define XSTR(x) STR(x)
#define EMBED(name)                         \
    .section .rodata.apps, "a";             \
    .balign 8;                              \
    .globl app_##name##_start;              \
app_##name##_start:                         \
    .incbin XSTR(name.elf);                 \
    .globl app_##name##_end;                \
app_##name##_end:

APP_LIST(EMBED)
