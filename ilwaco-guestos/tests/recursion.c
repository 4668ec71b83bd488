/*
 * tests/recursion.c - deep and branching recursion: call/ret, stack frames,
 * callee-saved registers.  fib, ackermann, hanoi, mutual recursion, gcd,
 * permutations, N-queens, flood fill, recursive descent expression parser.
 */
#include <stdio.h>
#include <string.h>
#include <stdint.h>

/* The inputs come from a non-const global so nothing is folded at compile time. */
int inputs[] = { 0, 1, 2, 3, 5, 10, 15, 20, 24 };

unsigned fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

uint64_t fib64_memo(unsigned n, uint64_t *memo)
{
    if (n < 2)
        return n;
    if (memo[n] == 0)
        memo[n] = fib64_memo(n - 1, memo) + fib64_memo(n - 2, memo);
    return memo[n];
}

unsigned ack_calls;

unsigned ackermann(unsigned m, unsigned n)
{
    ack_calls++;
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

unsigned hanoi_moves;
unsigned hanoi_hash;

void hanoi(int n, int from, int to, int via, int print)
{
    if (n == 0)
        return;
    hanoi(n - 1, from, via, to, print);
    hanoi_moves++;
    hanoi_hash = hanoi_hash * 31 + (unsigned)(from * 3 + to);
    if (print)
        printf("  move disk %d from %c to %c\n", n, 'A' + from, 'A' + to);
    hanoi(n - 1, via, to, from, print);
}

int is_odd(unsigned n);
int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

unsigned gcd(unsigned a, unsigned b) { return b == 0 ? a : gcd(b, a % b); }

int sum_digits(int n) { return n < 10 ? n : n % 10 + sum_digits(n / 10); }

/* Print every permutation of s[k..n). */
unsigned perm_count;

void permute(char *s, int k, int n)
{
    int i;

    if (k == n) {
        perm_count++;
        if (perm_count <= 24)
            printf("  perm %2u: %s\n", perm_count, s);
        return;
    }
    for (i = k; i < n; i++) {
        char t = s[k]; s[k] = s[i]; s[i] = t;
        permute(s, k + 1, n);
        t = s[k]; s[k] = s[i]; s[i] = t;
    }
}

int queens_cols[12];

int queens_ok(int row, int col)
{
    int r;

    for (r = 0; r < row; r++) {
        int c = queens_cols[r];
        if (c == col || c - col == r - row || c - col == row - r)
            return 0;
    }
    return 1;
}

int queens(int row, int n)
{
    int col, count = 0;

    if (row == n)
        return 1;
    for (col = 0; col < n; col++) {
        if (queens_ok(row, col)) {
            queens_cols[row] = col;
            count += queens(row + 1, n);
        }
    }
    return count;
}

char grid[8][17] = {
    "################",
    "#....#.........#",
    "#....#..####...#",
    "#....#..#..#...#",
    "######..#..#####",
    "#.......#......#",
    "#.......#......#",
    "################",
};

int flood(int r, int c, char mark)
{
    if (r < 0 || r >= 8 || c < 0 || c >= 16 || grid[r][c] != '.')
        return 0;
    grid[r][c] = mark;
    return 1 + flood(r + 1, c, mark) + flood(r - 1, c, mark)
             + flood(r, c + 1, mark) + flood(r, c - 1, mark);
}

/* expr := term (('+'|'-') term)* ; term := factor (('*'|'/'|'%') factor)* ;
 * factor := number | '-' factor | '(' expr ')' */
const char *src;

int parse_expr(void);

int parse_factor(void)
{
    int v = 0;

    if (*src == '-') {
        src++;
        return -parse_factor();
    }
    if (*src == '(') {
        src++;
        v = parse_expr();
        src++;                  /* ')' */
        return v;
    }
    while (*src >= '0' && *src <= '9')
        v = v * 10 + (*src++ - '0');
    return v;
}

int parse_term(void)
{
    int v = parse_factor();

    for (;;) {
        char op = *src;
        if (op != '*' && op != '/' && op != '%')
            return v;
        src++;
        int r = parse_factor();
        v = op == '*' ? v * r : op == '/' ? v / r : v % r;
    }
}

int parse_expr(void)
{
    int v = parse_term();

    while (*src == '+' || *src == '-') {
        char op = *src++;
        int r = parse_term();
        v = op == '+' ? v + r : v - r;
    }
    return v;
}

int main(void)
{
    unsigned i;
    uint64_t memo[94];
    static const char *exprs[] = {
        "1+2*3", "(1+2)*3", "100/7%4", "-(3-10)*-2", "2*(3+(4-1)*5)-6/4",
        "((((((7))))))", "1-2-3-4-5", "123456*7/13", "-2147483647-1+5",
    };

    printf("fib:\n");
    for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        printf("  fib(%d) = %u\n", inputs[i], fib((unsigned)inputs[i]));
    memset(memo, 0, sizeof memo);
    for (i = 50; i <= 93; i += 11)
        printf("  fib64(%u) = %llu\n", i, (unsigned long long)fib64_memo(i, memo));

    printf("ackermann:\n");
    for (i = 0; i <= 3; i++) {
        unsigned n;
        for (n = 0; n <= (i < 3 ? 4u : 6u); n++) {
            ack_calls = 0;
            unsigned a = ackermann(i, n);
            printf("  A(%u,%u) = %u (%u calls)\n", i, n, a, ack_calls);
        }
    }

    printf("hanoi:\n");
    hanoi(3, 0, 2, 1, 1);
    for (i = 1; i <= 16; i += 5) {
        hanoi_moves = 0;
        hanoi_hash = 0;
        hanoi((int)i, 0, 2, 1, 0);
        printf("  hanoi(%u): %u moves, hash %08x\n", i, hanoi_moves, hanoi_hash);
    }

    printf("mutual recursion:\n");
    for (i = 0; i < 8; i++)
        printf("  %u even=%d odd=%d\n", i * 37, is_even(i * 37), is_odd(i * 37));

    printf("gcd and digits:\n");
    for (i = 1; i < 9; i++) {
        unsigned a = i * 1071u * 3, b = i * 462u + 7;
        printf("  gcd(%u,%u) = %u, digitsum(%u) = %d\n", a, b, gcd(a, b), a * b,
               sum_digits((int)(a * b)));
    }

    printf("permutations:\n");
    {
        char s[] = "abcd";
        permute(s, 0, 4);
        char t[] = "abcdefg";
        perm_count = 100;         /* count without printing */
        permute(t, 0, 7);
        printf("  7! = %u\n", perm_count - 100);
    }

    printf("n-queens:\n");
    for (i = 1; i <= 9; i++)
        printf("  queens(%u) = %d\n", i, queens(0, (int)i));

    printf("flood fill:\n");
    printf("  region 1: %d cells\n", flood(1, 1, 'a'));
    printf("  region 2: %d cells\n", flood(1, 6, 'b'));
    printf("  region 3: %d cells\n", flood(3, 9, 'c'));
    printf("  region 4: %d cells\n", flood(5, 9, 'd'));
    for (i = 0; i < 8; i++)
        printf("  %s\n", grid[i]);

    printf("expressions:\n");
    for (i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        src = exprs[i];
        printf("  %s = %d\n", exprs[i], parse_expr());
    }
    return 0;
}
