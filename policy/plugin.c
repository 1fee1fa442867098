/* policy/plugin.c - see plugin.h. Checks a health-policy .so as a file
 * (ELF, this machine, not truncated, the entry symbol a function), then
 * loads it with GModule and checks its HealthPolicyClass before anyone
 * calls into it. Modules are
 * made resident (never unloaded): classes and static reason strings from a
 * plugin may outlive any one HealthPolicy. */
#include "plugin.h"

#include <elf.h>
#include <gmodule.h>
#include <stdint.h>
#include <string.h>

/* ---- checking the file before the dynamic loader sees it ----
 *
 * dlopen() runs a library's constructors and maps its segments: a
 * truncated file can fault when a segment past its end is touched, and
 * calling a symbol that is data jumps into data. So the file is read and
 * checked first: an ELF shared object of this machine's class, byte order
 * and architecture, whose program and section headers and loadable
 * segments lie inside the file, and which defines HEALTH_PLUGIN_SYMBOL as
 * a function in its dynamic symbol table. (Not a sandbox: a library that
 * passes runs with the process's rights, docs/policies.md.) */

#if UINTPTR_MAX == UINT64_MAX
#define PLUGIN_ELFCLASS ELFCLASS64
typedef Elf64_Ehdr PluginEhdr;
typedef Elf64_Phdr PluginPhdr;
typedef Elf64_Shdr PluginShdr;
typedef Elf64_Sym PluginSym;
#define PLUGIN_ST_TYPE(i) ELF64_ST_TYPE (i)
#else
#define PLUGIN_ELFCLASS ELFCLASS32
typedef Elf32_Ehdr PluginEhdr;
typedef Elf32_Phdr PluginPhdr;
typedef Elf32_Shdr PluginShdr;
typedef Elf32_Sym PluginSym;
#define PLUGIN_ST_TYPE(i) ELF32_ST_TYPE (i)
#endif

#if defined(__x86_64__)
#define PLUGIN_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define PLUGIN_MACHINE EM_AARCH64
#elif defined(__i386__)
#define PLUGIN_MACHINE EM_386
#elif defined(__arm__)
#define PLUGIN_MACHINE EM_ARM
#elif defined(__powerpc64__)
#define PLUGIN_MACHINE EM_PPC64
#elif defined(__riscv)
#define PLUGIN_MACHINE EM_RISCV
#elif defined(__s390x__)
#define PLUGIN_MACHINE EM_S390
#endif

#define PLUGIN_MAX_BYTES ((gsize) 512 << 20)

static const char *
machine_name (unsigned m)
{
  switch (m)
    {
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "aarch64 (arm64)";
    case EM_386: return "i386";
    case EM_ARM: return "32-bit ARM";
    case EM_PPC64: return "ppc64";
    case EM_RISCV: return "RISC-V";
    case EM_S390: return "s390x";
    default: return NULL;
    }
}

/* Whether [off, off + len) lies inside a file of size n. */
static gboolean
inside (uint64_t off, uint64_t len, gsize n)
{
  return off <= n && len <= n - off;
}

static gboolean
plugin_check_elf (const char *path, GError **error)
{
  g_autofree char *buf = NULL;
  gsize n = 0;
  g_autoptr (GError) e = NULL;
  g_autoptr (GMappedFile) mf = g_mapped_file_new (path, FALSE, &e);
  if (mf == NULL)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s: cannot read: %s", path, e->message);
      return FALSE;
    }
  n = g_mapped_file_get_length (mf);
  if (n > PLUGIN_MAX_BYTES)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s: %" G_GSIZE_FORMAT " bytes is larger "
                   "than a plugin may be", path, n);
      return FALSE;
    }
  /* a private copy: the file may change under a mapping */
  buf = g_memdup2 (g_mapped_file_get_contents (mf), n);
#define BAD(...) \
  do { g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN, __VA_ARGS__); \
       return FALSE; } while (0)
  if (n < EI_NIDENT || memcmp (buf, ELFMAG, SELFMAG) != 0)
    BAD ("health plugin %s: not a shared library (not an ELF file)", path);
  if (n < sizeof (PluginEhdr))
    BAD ("health plugin %s: truncated (%" G_GSIZE_FORMAT " bytes, shorter "
         "than an ELF header)", path, n);
  PluginEhdr eh;
  memcpy (&eh, buf, sizeof eh);
  if (eh.e_ident[EI_CLASS] != PLUGIN_ELFCLASS)
    BAD ("health plugin %s: a %s-bit library; this faultline is %s-bit",
         path, eh.e_ident[EI_CLASS] == ELFCLASS64 ? "64" : "32",
         PLUGIN_ELFCLASS == ELFCLASS64 ? "64" : "32");
  gboolean le = G_BYTE_ORDER == G_LITTLE_ENDIAN;
  if (eh.e_ident[EI_DATA] != (le ? ELFDATA2LSB : ELFDATA2MSB))
    BAD ("health plugin %s: built for a %s-endian machine", path,
         le ? "big" : "little");
#ifdef PLUGIN_MACHINE
  if (eh.e_machine != PLUGIN_MACHINE)
    {
      const char *theirs = machine_name (eh.e_machine);
      BAD ("health plugin %s: built for %s (ELF machine %u), but this "
           "faultline runs on %s: rebuild the plugin for this machine",
           path, theirs ? theirs : "another architecture", eh.e_machine,
           machine_name (PLUGIN_MACHINE));
    }
#endif
  if (eh.e_type != ET_DYN)
    BAD ("health plugin %s: an ELF file but not a shared library (build it "
         "with -shared -fPIC)", path);
  if (eh.e_phentsize != sizeof (PluginPhdr) || eh.e_phnum == 0
      || !inside (eh.e_phoff, (uint64_t) eh.e_phnum * sizeof (PluginPhdr), n))
    BAD ("health plugin %s: truncated or corrupt (program headers outside "
         "the file)", path);
  for (unsigned i = 0; i < eh.e_phnum; i++)
    {
      PluginPhdr ph;
      memcpy (&ph, buf + eh.e_phoff + i * sizeof ph, sizeof ph);
      if (ph.p_type == PT_LOAD && !inside (ph.p_offset, ph.p_filesz, n))
        BAD ("health plugin %s: truncated (%" G_GSIZE_FORMAT " bytes; a "
             "loadable segment ends at byte %" G_GUINT64_FORMAT ")", path, n,
             (guint64) ph.p_offset + ph.p_filesz);
    }
  if (eh.e_shentsize != sizeof (PluginShdr) || eh.e_shnum == 0
      || !inside (eh.e_shoff, (uint64_t) eh.e_shnum * sizeof (PluginShdr), n))
    BAD ("health plugin %s: truncated or corrupt (section headers outside "
         "the file)", path);
  /* the dynamic symbol table and its strings */
  for (unsigned i = 0; i < eh.e_shnum; i++)
    {
      PluginShdr sh, strh;
      memcpy (&sh, buf + eh.e_shoff + i * sizeof sh, sizeof sh);
      if (sh.sh_type != SHT_DYNSYM)
        continue;
      if (sh.sh_entsize != sizeof (PluginSym) || sh.sh_link >= eh.e_shnum
          || !inside (sh.sh_offset, sh.sh_size, n))
        BAD ("health plugin %s: corrupt dynamic symbol table", path);
      memcpy (&strh, buf + eh.e_shoff + sh.sh_link * sizeof strh, sizeof strh);
      if (!inside (strh.sh_offset, strh.sh_size, n))
        BAD ("health plugin %s: corrupt dynamic string table", path);
      const char *strs = buf + strh.sh_offset;
      for (uint64_t k = 0; k < sh.sh_size / sizeof (PluginSym); k++)
        {
          PluginSym sym;
          memcpy (&sym, buf + sh.sh_offset + k * sizeof sym, sizeof sym);
          if (sym.st_name >= strh.sh_size
              || memchr (strs + sym.st_name, '\0', strh.sh_size - sym.st_name) == NULL
              || strcmp (strs + sym.st_name, HEALTH_PLUGIN_SYMBOL) != 0
              || sym.st_shndx == SHN_UNDEF)
            continue;
          if (PLUGIN_ST_TYPE (sym.st_info) != STT_FUNC)
            BAD ("health plugin %s: %s is not a function (it is exported as "
                 "data); declare it as const HealthPolicyClass "
                 "*%s (void), see docs/examples/health-plugin/my_policy.c",
                 path, HEALTH_PLUGIN_SYMBOL, HEALTH_PLUGIN_SYMBOL);
          return TRUE;
        }
    }
  BAD ("health plugin %s does not export %s(); see "
       "docs/examples/health-plugin/my_policy.c", path, HEALTH_PLUGIN_SYMBOL);
#undef BAD
}

const HealthPolicyClass *
health_plugin_load (const char *path, GError **error)
{
  GModule *module;
  gpointer sym = NULL;
  HealthPolicyEntry entry;
  const HealthPolicyClass *cls;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s: is a folder (give the path of the "
                   ".so, e.g. ./my_policy.so)", path);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s: no such file (give the path of the "
                   ".so, e.g. ./my_policy.so)", path);
      return NULL;
    }
  if (!plugin_check_elf (path, error))
    return NULL;
  /* A bare file name would make the dynamic loader search the library
   * path instead of opening the file the user named. */
  g_autofree char *local = strchr (path, '/') == NULL
                             ? g_strconcat ("./", path, NULL) : NULL;
  module = g_module_open (local != NULL ? local : path, G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s: cannot load: %s", path,
                   g_module_error ());
      return NULL;
    }
  if (!g_module_symbol (module, HEALTH_PLUGIN_SYMBOL, &sym) || sym == NULL)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s does not export %s(); see "
                   "docs/examples/health-plugin/my_policy.c",
                   path, HEALTH_PLUGIN_SYMBOL);
      g_module_close (module);
      return NULL;
    }
  /* object pointer -> function pointer, as dlsym(3) documents */
  *(gpointer *) &entry = sym;
  cls = entry ();
  if (cls == NULL)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s: %s() returned NULL", path,
                   HEALTH_PLUGIN_SYMBOL);
      g_module_close (module);
      return NULL;
    }
  if (cls->api_version != HEALTH_API_VERSION)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_VERSION,
                   "plugin %s implements health API version %" G_GUINT32_FORMAT
                   ", faultline expects %d; rebuild %s against this health.h",
                   cls->name != NULL ? cls->name : "(unnamed)",
                   cls->api_version, HEALTH_API_VERSION, path);
      g_module_close (module);
      return NULL;
    }
  g_module_make_resident (module);
  return cls;
}
