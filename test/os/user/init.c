/* init: the first process. A small shell that runs programs by name; in test
 * mode (kernel command line "test[; cmd; cmd ...]") it runs a fixed list of
 * programs one after another and exits with 0 only if all of them did, which
 * makes the kernel power QEMU off with that status. */
#include "ulib.h"

#define MAX_WORDS 8
#define LINE_MAX  128

static const char default_tests[] = "compute; syscalls; sleeper; forker";

/* Splits `line` in place at spaces; returns the number of words. */
static int split_words(char *line, char *words[], int max)
{
    int n = 0;
    char *p = line;
    while (*p && n < max) {
        while (*p == ' ')
            *p++ = '\0';
        if (*p == '\0')
            break;
        words[n++] = p;
        while (*p && *p != ' ')
            p++;
    }
    while (*p == ' ')
        *p++ = '\0';
    return n;
}

static void print_help(void)
{
    char names[256];
    puts("commands: help, poweroff [code], or a program name with arguments");
    if (apps(names, sizeof names) >= 0)
        printf("programs: %s\n", names);
}

/* Runs one command line; returns the program's exit code, or -1 if it could
 * not be started. `poweroff` ends init itself. */
__attribute__((noinline)) int work(char *line)
{
    char *argv[MAX_WORDS + 1];
    int argc = split_words(line, argv, MAX_WORDS);
    argv[argc] = 0;
    if (argc == 0)
        return 0;
    if (strcmp(argv[0], "help") == 0) {
        print_help();
        return 0;
    }
    if (strcmp(argv[0], "poweroff") == 0) {
        int code = 0;
        for (const char *p = argc > 1 ? argv[1] : ""; *p >= '0' && *p <= '9'; p++)
            code = code * 10 + (*p - '0');
        exit(code);
    }
    long pid = spawn(argv[0], argv);
    if (pid < 0) {
        printf("init: cannot run '%s' (try 'help')\n", argv[0]);
        return -1;
    }
    /* Wait for any child, not just this one: processes orphaned by their
     * parents become init's, and only init can reap them. */
    int code = 0;
    long reaped;
    while ((reaped = waitpid(-1, &code)) != pid) {
        if (reaped < 0) {
            printf("init: lost child %ld\n", pid);
            return -1;
        }
    }
    return code;
}

/* Runs each ';'-separated command of `list`; returns the number that failed. */
static int run_tests(char *list)
{
    int total = 0, failed = 0;
    char *cmd = list;
    while (cmd) {
        char *next = cmd;
        while (*next && *next != ';')
            next++;
        char *rest = *next ? next + 1 : 0;
        *next = '\0';
        while (*cmd == ' ')
            cmd++;
        if (*cmd) {
            char shown[LINE_MAX];
            strlcpy(shown, cmd, sizeof shown);
            printf("init: $ %s\n", shown);
            int code = work(cmd);
            printf("init: %s exited with code %d\n", shown, code);
            total++;
            failed += code != 0;
        }
        cmd = rest;
    }
    /* Orphans adopted by init end before the machine does. */
    int code;
    while (waitpid(-1, &code) >= 0)
        ;
    if (failed)
        printf("init: %d of %d programs failed\n", failed, total);
    else
        printf("init: all %d programs passed\n", total);
    return failed;
}

static void shell(void)
{
    char line[LINE_MAX];
    puts("rspmux demo OS shell. Type 'help' for commands.");
    for (;;) {
        printf("$ ");
        if (read_line(line, sizeof line) < 0)
            return;
        int code = work(line);
        if (code != 0)
            printf("[exit code %d]\n", code);
    }
}

int main(int argc, char *argv[])
{
    const char *cmdline = argc > 1 ? argv[1] : "";
    if (strncmp(cmdline, "test", 4) == 0 &&
        (cmdline[4] == '\0' || cmdline[4] == ' ' || cmdline[4] == ';')) {
        char list[LINE_MAX];
        const char *given = cmdline + 4;
        while (*given == ' ' || *given == ';')
            given++;
        strlcpy(list, *given ? given : default_tests, sizeof list);
        printf("init: test mode\n");
        return run_tests(list) == 0 ? 0 : 1;
    }
    shell();
    return 0;
}
