/* The user programs embedded in the kernel image (embed.S), found by name. */
#include "apps.h"

#include "apps_list.h"
#include "string.h"

#define DECLARE(name) extern const uint8_t app_##name##_start[], app_##name##_end[];
APP_LIST(DECLARE)

#define ENTRY(name) { #name, app_##name##_start, app_##name##_end },
static const struct app apps[] = { APP_LIST(ENTRY) };

const struct app *app_find(const char *name)
{
    for (unsigned i = 0; i < sizeof apps / sizeof apps[0]; i++) {
        if (strcmp(apps[i].name, name) == 0)
            return &apps[i];
    }
    return 0;
}

const struct app *app_at(unsigned i)
{
    return i < sizeof apps / sizeof apps[0] ? &apps[i] : 0;
}
