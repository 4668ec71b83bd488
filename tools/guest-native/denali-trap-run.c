/*
 * tools/guest-native/denali-trap-run.c - run a Denali guest image on the
 * host CPU, trapping the Denali instructions with ptrace.
 *
 * Usage: denali-trap-run IMAGE.elf        (prints the guest console on stdout,
 *                                          exits with the guest's TERM code)
 *
 * A developer tool, not part of the VMM: it lets the exact bytes of a guest
 * image (crt0, hypercall wrappers, linker layout) be checked on real x86
 * hardware before the Java CPU exists.  The host kernel loads the ELF32
 * image (needs vm.mmap_min_addr <= 4096, since images start at 0x1000) and
 * runs it; the undefined opcodes 0F 04 (HCALL), 0F 0A (IDLE) and 0F 0C
 * (TERM) raise SIGILL, which the tracer turns into:
 *   HCALL 1 (console write)  write EBX[0..ECX) to stdout, EAX = ECX
 *   HCALL 6 (yield)          EAX = 0
 *   other hypercalls         EAX = -38 (ENOSYS)
 *   IDLE                     returns at once
 *   TERM                     exit with EBX
 * Differences from a Denali VM: ESP starts at the Linux stack, not at the
 * top of guest memory, and the virtual-registers page at 0 is not mapped
 * (reading it faults).  Any other signal ends the run with exit code 128+sig.
 * Build: cc -O2 -o denali-trap-run denali-trap-run.c (x86-64 Linux host).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child;

static int peek_bytes(uint32_t addr, void *out, size_t n)
{
    unsigned char *p = out;
    size_t done = 0;

    while (done < n) {
        uint32_t aligned = (uint32_t)(addr + done) & ~7u;
        unsigned off = (unsigned)(addr + done - aligned);
        errno = 0;
        long word = ptrace(PTRACE_PEEKDATA, child, (void *)(uintptr_t)aligned, NULL);
        if (errno)
            return -1;
        for (; off < 8 && done < n; off++)
            p[done++] = ((unsigned char *)&word)[off];
    }
    return 0;
}

static void die(const char *what, int code)
{
    fflush(stdout);
    fprintf(stderr, "denali-trap-run: %s\n", what);
    if (child > 0)
        kill(child, SIGKILL);
    exit(code);
}

int main(int argc, char **argv)
{
    int status;

    if (argc != 2) {
        fprintf(stderr, "usage: %s IMAGE.elf\n", argv[0]);
        return 2;
    }
    child = fork();
    if (child == 0) {
        char *const args[] = { argv[1], NULL }, *const env[] = { NULL };
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        execve(argv[1], args, env);
        perror("execve");
        _exit(127);
    }
    if (waitpid(child, &status, 0) < 0 || !WIFSTOPPED(status))
        die("the image did not start", 127);  /* stopped at the exec */
    ptrace(PTRACE_CONT, child, NULL, NULL);

    for (;;) {
        struct user_regs_struct r;
        unsigned char op[2];
        char msg[96];

        if (waitpid(child, &status, 0) < 0)
            die("waitpid failed", 127);
        if (WIFEXITED(status))
            die("the guest exited through Linux, not TERM", 127);
        if (WIFSIGNALED(status))
            return 128 + WTERMSIG(status);
        int sig = WSTOPSIG(status);
        ptrace(PTRACE_GETREGS, child, NULL, &r);
        uint32_t eip = (uint32_t)r.rip;
        if (sig != SIGILL || peek_bytes(eip, op, 2) != 0 || op[0] != 0x0f) {
            snprintf(msg, sizeof msg, "guest fault: signal %d at eip 0x%08x", sig, eip);
            die(msg, 128 + sig);
        }
        switch (op[1]) {
        case 0x04: {                                   /* HCALL */
            uint32_t nr = (uint32_t)r.rax;
            if (nr == 1) {
                uint32_t len = (uint32_t)r.rcx;
                char *buf = malloc(len ? len : 1);
                if (!buf || peek_bytes((uint32_t)r.rbx, buf, len) != 0)
                    r.rax = (uint32_t)-14;             /* EFAULT */
                else {
                    fwrite(buf, 1, len, stdout);
                    r.rax = len;
                }
                free(buf);
            } else if (nr == 6) {
                r.rax = 0;
            } else {
                r.rax = (uint32_t)-38;                 /* ENOSYS */
            }
            break;
        }
        case 0x0a:                                     /* IDLE */
            break;
        case 0x0c:                                     /* TERM */
            fflush(stdout);
            kill(child, SIGKILL);
            return (int)(uint32_t)r.rbx;
        default:
            snprintf(msg, sizeof msg, "invalid instruction 0f %02x at eip 0x%08x", op[1], eip);
            die(msg, 128 + SIGILL);
        }
        r.rip = eip + 2;
        ptrace(PTRACE_SETREGS, child, NULL, &r);
        ptrace(PTRACE_CONT, child, NULL, NULL);
    }
}
