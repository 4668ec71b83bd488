/*
 * tests/switch.c - switch statements: dense ranges (jump tables through
 * indirect jmp), sparse values (compare trees), character classes (bit
 * tests), fall-through, nested switches, switch on 64-bit and negative
 * values, and a small bytecode interpreter.
 */
#include <stdio.h>
#include <stdint.h>

const char *dense(int x)
{
    switch (x) {
    case 0: return "zero";
    case 1: return "one";
    case 2: return "two";
    case 3: return "three";
    case 4: return "four";
    case 5: return "five";
    case 6: return "six";
    case 7: return "seven";
    case 8: return "eight";
    case 9: return "nine";
    case 10: return "ten";
    case 11: return "eleven";
    case 12: return "twelve";
    case 13: return "thirteen";
    case 14: return "fourteen";
    case 15: return "fifteen";
    default: return "many";
    }
}

int dense_arith(int op, int a, int b)
{
    switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return b ? a / b : 0;
    case 4: return b ? a % b : 0;
    case 5: return a & b;
    case 6: return a | b;
    case 7: return a ^ b;
    case 8: return (int)((unsigned)a << (b & 31));
    case 9: return a >> (b & 31);
    case 10: return a < b;
    case 11: return a == b;
    default: return -1;
    }
}

int sparse(int x)
{
    switch (x) {
    case -1000000: return 1;
    case -77: return 2;
    case -1: return 3;
    case 0: return 4;
    case 13: return 5;
    case 100: return 6;
    case 1000: return 7;
    case 4096: return 8;
    case 65535: return 9;
    case 65536: return 10;
    case 1000000: return 11;
    case 0x7FFFFFFF: return 12;
    default: return 0;
    }
}

const char *char_class(char c)
{
    switch (c) {
    case 'a': case 'e': case 'i': case 'o': case 'u':
    case 'A': case 'E': case 'I': case 'O': case 'U':
        return "vowel";
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return "digit";
    case ' ': case '\t': case '\n':
        return "space";
    default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            return "consonant";
        return "other";
    }
}

int fallthrough(int x)
{
    int r = 0;

    switch (x) {
    case 5: r += 500;   /* fall through */
    case 4: r += 40;    /* fall through */
    case 3: r += 3;
        break;
    case 2: r = 2;      /* fall through */
    case 1: r *= 10;    /* fall through */
    default: r += 1;
    }
    return r;
}

int nested(int a, int b)
{
    switch (a) {
    case 0:
        switch (b) {
        case 0: return 0;
        case 1: return 1;
        default: return 2;
        }
    case 1:
        switch (b) {
        case 0: return 10;
        case 5: return 15;
        case 9: return 19;
        default: return 11;
        }
    default:
        return 100 + a * b;
    }
}

const char *switch64(int64_t v)
{
    switch (v) {
    case 0: return "zero";
    case 1: return "one";
    case 0x100000000LL: return "2^32";
    case -1: return "minus one";
    case INT64_MIN: return "min";
    case 0x7FFFFFFFFFFFFFFFLL: return "max";
    default: return "other";
    }
}

int small_neg(int x)
{
    switch (x) {
    case -5: return 50;
    case -4: return 40;
    case -3: return 30;
    case -2: return 20;
    case -1: return 10;
    case 0: return 0;
    case 1: return -10;
    case 2: return -20;
    case 3: return -30;
    default: return 999;
    }
}

/* A tiny stack machine; the dispatch loop is the classic jump-table switch. */
enum { OP_PUSH, OP_ADD, OP_SUB, OP_MUL, OP_DUP, OP_SWAP, OP_JNZ, OP_DEC, OP_PRINT, OP_HALT };

int program[] = {
    OP_PUSH, 1,            /* acc */
    OP_PUSH, 10,           /* counter */
    /* loop @4: acc *= 3; counter-- */
    OP_SWAP, OP_PUSH, 3, OP_MUL, OP_PRINT, OP_SWAP, OP_DEC, OP_DUP, OP_JNZ, 4,
    OP_SWAP, OP_PRINT, OP_HALT,
};

void run_vm(void)
{
    int stack[16], sp = 0, pc = 0, steps = 0;

    for (;;) {
        int op = program[pc++], t;
        steps++;
        switch (op) {
        case OP_PUSH: stack[sp++] = program[pc++]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_SWAP: t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; break;
        case OP_JNZ: t = program[pc++]; if (stack[--sp] != 0) pc = t; break;
        case OP_DEC: stack[sp - 1]--; break;
        case OP_PRINT: printf("  vm: %d\n", stack[sp - 1]); break;
        case OP_HALT: printf("  vm halted after %d steps, sp=%d\n", steps, sp); return;
        default: printf("  bad op %d\n", op); return;
        }
    }
}

int main(void)
{
    int i;
    static const int sparse_in[] = { -1000000, -77, -76, -1, 0, 1, 13, 14, 100,
                                     999, 1000, 4096, 65535, 65536, 65537,
                                     1000000, 0x7FFFFFFF, -0x7FFFFFFF - 1 };
    static const int64_t in64[] = { 0, 1, 2, 0x100000000LL, 0x100000001LL, -1,
                                    -2, INT64_MIN, 0x7FFFFFFFFFFFFFFFLL };
    const char *text = "Hello, World 2024!\tok\n";

    printf("dense:\n");
    for (i = -3; i <= 18; i++)
        printf("  %d -> %s\n", i, dense(i));

    printf("dense arithmetic:\n");
    for (i = -1; i <= 12; i++)
        printf("  op %d: %d %d %d\n", i, dense_arith(i, 1234, 7),
               dense_arith(i, -99, 4), dense_arith(i, 0x4000, 0));

    printf("sparse:\n");
    for (i = 0; i < (int)(sizeof sparse_in / sizeof sparse_in[0]); i++)
        printf("  %d -> %d\n", sparse_in[i], sparse(sparse_in[i]));

    printf("char classes:\n");
    for (i = 0; text[i]; i++)
        printf("  '%c' (%d) -> %s\n", text[i] >= ' ' ? text[i] : '?', text[i],
               char_class(text[i]));

    printf("fallthrough:\n");
    for (i = -1; i <= 7; i++)
        printf("  %d -> %d\n", i, fallthrough(i));

    printf("nested:\n");
    for (i = 0; i < 3; i++) {
        int j;
        for (j = 0; j < 10; j += 3)
            printf("  (%d,%d) -> %d\n", i, j, nested(i, j));
        printf("  (%d,5) -> %d (%d,9) -> %d\n", i, nested(i, 5), i, nested(i, 9));
    }

    printf("64-bit:\n");
    for (i = 0; i < (int)(sizeof in64 / sizeof in64[0]); i++)
        printf("  %lld -> %s\n", (long long)in64[i], switch64(in64[i]));

    printf("negative cases:\n");
    for (i = -7; i <= 5; i++)
        printf("  %d -> %d\n", i, small_neg(i));

    printf("bytecode:\n");
    run_vm();
    return 0;
}
