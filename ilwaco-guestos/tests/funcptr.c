/*
 * tests/funcptr.c - indirect calls: tables of function pointers, callbacks,
 * a generic sort taking a comparator (and libc qsort/bsearch), functions
 * returning function pointers, a state machine of function pointers, and
 * "methods" in structs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

typedef int (*binop)(int, int);

int op_add(int a, int b) { return a + b; }
int op_sub(int a, int b) { return a - b; }
int op_mul(int a, int b) { return a * b; }
int op_max(int a, int b) { return a > b ? a : b; }
int op_min(int a, int b) { return a < b ? a : b; }
int op_xor(int a, int b) { return a ^ b; }

binop ops[] = { op_add, op_sub, op_mul, op_max, op_min, op_xor };
const char *op_names[] = { "add", "sub", "mul", "max", "min", "xor" };

int fold(const int *v, int n, int init, binop f)
{
    int i;

    for (i = 0; i < n; i++)
        init = f(init, v[i]);
    return init;
}

void for_each(int *v, int n, void (*fn)(int *, void *), void *ctx)
{
    int i;

    for (i = 0; i < n; i++)
        fn(&v[i], ctx);
}

void scale_cb(int *x, void *ctx) { *x *= *(int *)ctx; }
void sum_cb(int *x, void *ctx) { *(long long *)ctx += *x; }

/* A generic insertion sort over any element type. */
void gsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    char *a = base, tmp[64];
    size_t i, j;

    for (i = 1; i < n; i++) {
        memcpy(tmp, a + i * size, size);
        for (j = i; j > 0 && cmp(a + (j - 1) * size, tmp) > 0; j--)
            memcpy(a + j * size, a + (j - 1) * size, size);
        memcpy(a + j * size, tmp, size);
    }
}

int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int cmp_int_desc(const void *a, const void *b) { return cmp_int(b, a); }

int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct person { char name[12]; int age; };

int cmp_person(const void *a, const void *b)
{
    const struct person *p = a, *q = b;
    if (p->age != q->age)
        return p->age - q->age;
    return strcmp(p->name, q->name);
}

/* Functions that return functions. */
binop choose(char c)
{
    switch (c) {
    case '+': return op_add;
    case '-': return op_sub;
    case '*': return op_mul;
    default: return op_xor;
    }
}

/* A state machine: each state is a function returning the next state. */
struct machine;
typedef void *(*state_fn)(struct machine *, char);
struct machine { int count, numbers, words; };

void *st_space(struct machine *m, char c);
void *st_word(struct machine *m, char c);
void *st_number(struct machine *m, char c);

void *st_space(struct machine *m, char c)
{
    m->count++;
    if (c >= '0' && c <= '9') { m->numbers++; return (void *)st_number; }
    if (c != ' ') { m->words++; return (void *)st_word; }
    return (void *)st_space;
}
void *st_word(struct machine *m, char c)
{
    m->count++;
    return c == ' ' ? (void *)st_space : (void *)st_word;
}
void *st_number(struct machine *m, char c)
{
    m->count++;
    if (c == ' ') return (void *)st_space;
    if (c >= '0' && c <= '9') return (void *)st_number;
    m->numbers--; m->words++;
    return (void *)st_word;
}

/* Objects with method tables. */
struct shape;
struct shape_ops {
    const char *kind;
    int (*area)(const struct shape *);
    int (*perimeter)(const struct shape *);
};
struct shape { const struct shape_ops *ops; int a, b; };

int rect_area(const struct shape *s) { return s->a * s->b; }
int rect_perim(const struct shape *s) { return 2 * (s->a + s->b); }
int sq_area(const struct shape *s) { return s->a * s->a; }
int sq_perim(const struct shape *s) { return 4 * s->a; }
int tri_area(const struct shape *s) { return s->a * s->b / 2; }
int tri_perim(const struct shape *s) { return s->a + s->b + (s->a > s->b ? s->a : s->b); }

const struct shape_ops rect_ops = { "rect", rect_area, rect_perim };
const struct shape_ops square_ops = { "square", sq_area, sq_perim };
const struct shape_ops tri_ops = { "triangle", tri_area, tri_perim };

int apply_n(int (*f)(int), int n, int x)
{
    while (n-- > 0)
        x = f(x);
    return x;
}
int twice_plus1(int x) { return 2 * x + 1; }
int collatz(int x) { return x % 2 ? 3 * x + 1 : x / 2; }

int main(void)
{
    int v[] = { 5, -3, 12, 7, 0, -8, 21, 4, 4, -1 };
    int n = (int)(sizeof v / sizeof v[0]), i;

    printf("fold with a table of operations:\n");
    for (i = 0; i < 6; i++)
        printf("  %s: %d\n", op_names[i], fold(v, n, i == 2 ? 1 : 0, ops[i]));

    printf("callbacks:\n");
    {
        int factor = 3;
        long long total = 0;
        for_each(v, n, scale_cb, &factor);
        for_each(v, n, sum_cb, &total);
        printf("  scaled sum %lld\n", total);
    }

    printf("generic sort:\n");
    gsort(v, (size_t)n, sizeof v[0], cmp_int);
    printf("  asc:");
    for (i = 0; i < n; i++)
        printf(" %d", v[i]);
    printf("\n");
    gsort(v, (size_t)n, sizeof v[0], cmp_int_desc);
    printf("  desc:");
    for (i = 0; i < n; i++)
        printf(" %d", v[i]);
    printf("\n");
    {
        const char *names[] = { "pear", "apple", "fig", "banana", "kiwi", "apricot", "date" };
        gsort(names, 7, sizeof names[0], cmp_str);
        printf("  strings:");
        for (i = 0; i < 7; i++)
            printf(" %s", names[i]);
        printf("\n");
    }

    printf("libc qsort and bsearch:\n");
    {
        static int big[200];
        unsigned seed = 12345;
        int key, *hit;
        for (i = 0; i < 200; i++)
            big[i] = rand_r(&seed) % 1000 - 500;
        qsort(big, 200, sizeof big[0], cmp_int);
        printf("  first %d %d %d last %d %d %d\n", big[0], big[1], big[2], big[197],
               big[198], big[199]);
        for (i = 1; i < 200; i++)
            if (big[i - 1] > big[i])
                printf("  NOT SORTED at %d\n", i);
        for (key = -500; key <= 500; key += 125) {
            hit = bsearch(&key, big, 200, sizeof big[0], cmp_int);
            printf("  bsearch %d: %s\n", key, hit ? "found" : "absent");
        }
        struct person people[] = { { "dana", 31 }, { "ali", 25 }, { "chris", 31 },
                                   { "bo", 19 }, { "eve", 25 }, { "fay", 40 } };
        qsort(people, 6, sizeof people[0], cmp_person);
        for (i = 0; i < 6; i++)
            printf("  %s %d\n", people[i].name, people[i].age);
    }

    printf("returned function pointers:\n");
    {
        const char *expr = "+-*/";
        for (i = 0; expr[i]; i++)
            printf("  100 %c 7 -> %d\n", expr[i], choose(expr[i])(100, 7));
    }

    printf("state machine:\n");
    {
        const char *text = "abc 123 x9 42a  7 hello 2024 ";
        struct machine m = { 0, 0, 0 };
        state_fn st = st_space;
        for (i = 0; text[i]; i++)
            st = (state_fn)st(&m, text[i]);
        printf("  chars %d words %d numbers %d final %s\n", m.count, m.words, m.numbers,
               st == st_space ? "space" : st == st_word ? "word" : "number");
    }

    printf("method tables:\n");
    {
        struct shape shapes[] = { { &rect_ops, 3, 4 }, { &square_ops, 5, 0 },
                                  { &tri_ops, 6, 8 }, { &rect_ops, 10, 1 } };
        for (i = 0; i < 4; i++)
            printf("  %-8s area %3d perimeter %3d\n", shapes[i].ops->kind,
                   shapes[i].ops->area(&shapes[i]), shapes[i].ops->perimeter(&shapes[i]));
    }

    printf("higher order:\n");
    for (i = 0; i < 5; i++)
        printf("  twice_plus1^%d(1) = %d, collatz^%d(27) = %d\n", i * 3,
               apply_n(twice_plus1, i * 3, 1), i * 20, apply_n(collatz, i * 20, 27));
    return 0;
}
