/* Integer benchmark for the host CPU: CRC-32, hashing, sorting and integer matrix work on
 * deterministic data. Prints one checksum per kernel, so rainier-vp and QEMU can be checked to
 * compute the same thing while their speed is compared. ROUNDS is set at build time. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef ROUNDS
#define ROUNDS 40
#endif

#define BUF_BYTES 16384
#define SORT_N 2048
#define MAT_N 24

static uint8_t buf[BUF_BYTES];
static uint32_t sort_data[SORT_N];
static int32_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N], mat_c[MAT_N][MAT_N];

static uint64_t lcg_state = 0x2545f4914f6cdd1dULL;
static uint32_t lcg(void) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 33);
}

static uint32_t crc32(const uint8_t* p, size_t n) {
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; ++i) {
        crc ^= p[i];
        for (int b = 0; b < 8; ++b)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* FNV-1a over 64-bit words followed by a murmur-style finaliser. */
static uint64_t hash64(const uint8_t* p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static void quicksort(uint32_t* a, int lo, int hi) {
    while (lo < hi) {
        uint32_t pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                ++i;
            while (a[j] > pivot)
                --j;
            if (i <= j) {
                uint32_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

static uint64_t matmul(void) {
    uint64_t sum = 0;
    for (int i = 0; i < MAT_N; ++i)
        for (int j = 0; j < MAT_N; ++j) {
            int64_t acc = 0;
            for (int k = 0; k < MAT_N; ++k)
                acc += (int64_t)mat_a[i][k] * mat_b[k][j];
            mat_c[i][j] = (int32_t)(acc % 1000003);
            sum += (uint64_t)mat_c[i][j] * (uint64_t)(i + 1) / (uint64_t)(j + 1);
        }
    return sum;
}

int main(void) {
    uint32_t crc = 0;
    uint64_t hash = 0, sorted = 0, mat = 0;
    for (int r = 0; r < ROUNDS; ++r) {
        for (size_t i = 0; i < BUF_BYTES; ++i)
            buf[i] = (uint8_t)lcg();
        crc ^= crc32(buf, BUF_BYTES);
        hash += hash64(buf, BUF_BYTES);

        for (int i = 0; i < SORT_N; ++i)
            sort_data[i] = lcg();
        quicksort(sort_data, 0, SORT_N - 1);
        for (int i = 1; i < SORT_N; ++i)
            if (sort_data[i - 1] > sort_data[i]) {
                printf("int_bench: sort failed at %d\n", i);
                return 1;
            }
        sorted += sort_data[SORT_N / 2];

        for (int i = 0; i < MAT_N; ++i)
            for (int j = 0; j < MAT_N; ++j) {
                mat_a[i][j] = (int32_t)(lcg() % 2001) - 1000;
                mat_b[i][j] = (int32_t)(lcg() % 2001) - 1000;
            }
        mat += matmul();
    }
    printf("int_bench: rounds=%d crc=%08lx hash=%016llx sort=%016llx mat=%016llx\n", ROUNDS,
           (unsigned long)crc, (unsigned long long)hash, (unsigned long long)sorted,
           (unsigned long long)mat);
    return 0;
}
