#include "elf_loader.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <sstream>

#include "core/hex.h"

namespace rainier {

namespace {

struct fd_closer {
    int fd;
    ~fd_closer() {
        if (fd >= 0) ::close(fd);
    }
};

} // namespace

elf_image read_elf(const std::string& path) {
    auto fail = [&](const std::string& why) -> elf_error {
        return elf_error("ELF '" + path + "': " + why);
    };
    if (elf_version(EV_CURRENT) == EV_NONE) throw fail("libelf is unusable");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw fail("cannot open the file");
    fd_closer closer{fd};
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw fail("not a regular file");
    const uint64_t file_size = static_cast<uint64_t>(st.st_size);

    std::unique_ptr<Elf, int (*)(Elf*)> elf(elf_begin(fd, ELF_C_READ, nullptr), elf_end);
    if (!elf || elf_kind(elf.get()) != ELF_K_ELF) {
        char magic[4] = {};
        const bool has_magic = pread(fd, magic, 4, 0) == 4 && std::memcmp(magic, ELFMAG, 4) == 0;
        throw fail(has_magic ? "truncated: the ELF header is incomplete" : "not an ELF file");
    }
    if (gelf_getclass(elf.get()) != ELFCLASS64)
        throw fail("not a 64-bit ELF (the host CPU is RV64)");
    GElf_Ehdr ehdr;
    if (!gelf_getehdr(elf.get(), &ehdr)) throw fail("truncated or corrupt ELF header");
    if (ehdr.e_ident[EI_DATA] != ELFDATA2LSB) throw fail("not little-endian");
    if (ehdr.e_machine != EM_RISCV)
        throw fail("machine type " + std::to_string(ehdr.e_machine) + " is not RISC-V (243)");
    if (ehdr.e_type != ET_EXEC) throw fail("not an executable (ET_EXEC)");

    size_t phnum = 0;
    if (elf_getphdrnum(elf.get(), &phnum) != 0) throw fail("corrupt program header table");
    if (ehdr.e_phoff > file_size || phnum * ehdr.e_phentsize > file_size - ehdr.e_phoff)
        throw fail("truncated: program headers run past the end of the file");

    elf_image image;
    image.path = path;
    image.entry = ehdr.e_entry;
    for (size_t i = 0; i < phnum; ++i) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf.get(), static_cast<int>(i), &ph))
            throw fail("cannot read program header " + std::to_string(i));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
        if (ph.p_filesz > ph.p_memsz)
            throw fail("segment " + std::to_string(i) +
                       " has a file size larger than its memory size");
        if (ph.p_offset > file_size || ph.p_filesz > file_size - ph.p_offset)
            throw fail("truncated: segment " + std::to_string(i) + " [file offset " +
                       hex(ph.p_offset) + ", " + std::to_string(ph.p_filesz) +
                       " bytes] runs past the end of the file (" + std::to_string(file_size) +
                       " bytes)");
        elf_segment seg;
        seg.addr = ph.p_paddr;
        seg.mem_size = ph.p_memsz;
        seg.data.resize(ph.p_filesz);
        if (ph.p_filesz > 0 &&
            pread(fd, seg.data.data(), ph.p_filesz, static_cast<off_t>(ph.p_offset)) !=
                static_cast<ssize_t>(ph.p_filesz))
            throw fail("cannot read segment " + std::to_string(i));
        image.segments.push_back(std::move(seg));
    }
    if (image.segments.empty()) throw fail("no loadable segment");
    return image;
}

void check_placement(const elf_image& image, const std::vector<region>& regions) {
    for (size_t i = 0; i < image.segments.size(); ++i) {
        const elf_segment& seg = image.segments[i];
        const uint64_t last = seg.addr + seg.mem_size - 1;
        bool inside = false;
        for (const region& r : regions)
            if (r.is_memory && seg.addr >= r.base && last >= seg.addr &&
                last <= r.base + r.size - 1)
                inside = true;
        if (!inside) {
            std::string mems;
            for (const region& r : regions)
                if (r.is_memory)
                    mems += (mems.empty() ? "" : ", ") + r.name + " [" + hex(r.base) + ", " +
                            hex(r.base + r.size - 1) + "]";
            throw elf_error("ELF '" + image.path + "': loadable segment [" + hex(seg.addr) + ", " +
                            hex(last) + "] lies outside every memory (" + mems + ")");
        }
    }
    bool entry_ok = false;
    for (const elf_segment& seg : image.segments)
        if (image.entry >= seg.addr && image.entry - seg.addr < seg.mem_size) entry_ok = true;
    if (!entry_ok)
        throw elf_error("ELF '" + image.path + "': entry point " + hex(image.entry) +
                        " is not inside any loadable segment");
}

} // namespace rainier
