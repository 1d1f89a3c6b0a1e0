/* SPDX-License-Identifier: MIT */
/**
 * @file config.c
 * @brief VM configs (axvmconfig): from TOML to struct vm_config, and the
 *        checks that tell whether a config can run.
 *
 * Field names and shapes follow the VM configs of AxVisor (configs/vms), so those
 * files parse unchanged. A field of the wrong type is an error at the
 * value's place; a field this reader does not know is a warning.
 */
#include <cvisor/config.h>
#include <cvisor/lib.h>
#include <cvisor/toml.h>

const char *cv_arch_name(enum cv_arch a)
{
	switch (a) {
	case ARCH_AARCH64:
		return "aarch64";
	case ARCH_RISCV64:
		return "riscv64";
	case ARCH_X86_64:
		return "x86_64";
	default:
		return "unknown";
	}
}

enum cv_arch cv_arch_from_name(const char *s)
{
	if (strcmp(s, "aarch64") == 0)
		return ARCH_AARCH64;
	if (strcmp(s, "riscv64") == 0)
		return ARCH_RISCV64;
	if (strcmp(s, "x86_64") == 0)
		return ARCH_X86_64;
	return ARCH_UNKNOWN;
}

/* ---- Reading typed fields ------------------------------------------------- */

struct reader {
	struct diag_list *dl;
	const char *section; /* "base", "kernel", "devices" */
	const char *dir;     /* the config's directory, with a trailing '/', or "" */
	size_t dirlen;
	bool failed;
};

static void wrong_type(struct reader *r, const char *key, const struct toml_value *v,
		       const char *expected)
{
	bool an = v->type == TOML_INT || v->type == TOML_ARRAY;
	diag_add(r->dl, DIAG_ERROR, v->line, v->col, "[%s] %s: expected %s, found %s %s",
		 r->section, key, expected, an ? "an" : "a", toml_type_name(v->type));
	r->failed = true;
}

/* An unsigned integer field. Returns true if present and valid. */
static bool get_u64(struct reader *r, struct toml_value *tab, const char *key, uint64_t *out,
		    int *line)
{
	struct toml_value *v = toml_get(tab, key);
	if (!v)
		return false;
	if (v->type != TOML_INT) {
		wrong_type(r, key, v, "an integer");
		return false;
	}
	*out = (uint64_t)v->i;
	if (line)
		*line = v->line;
	return true;
}

/* An unsigned integer field with a range. */
static bool get_ranged(struct reader *r, struct toml_value *tab, const char *key, uint64_t *out,
		       uint64_t min, uint64_t max)
{
	struct toml_value *v = toml_find_kv(tab, key) ? toml_find_kv(tab, key)->value : NULL;
	uint64_t x;
	if (!get_u64(r, tab, key, &x, NULL))
		return false;
	if (v->i < 0 || x < min || x > max) {
		diag_add(r->dl, DIAG_ERROR, v->line, v->col,
			 "[%s] %s: %lld is out of range %llu..%llu", r->section, key,
			 (long long)v->i, (unsigned long long)min, (unsigned long long)max);
		r->failed = true;
		return false;
	}
	*out = x;
	return true;
}

static void get_addr(struct reader *r, struct toml_value *tab, const char *key, struct cfg_addr *a)
{
	a->set = get_u64(r, tab, key, &a->value, &a->line);
}

/* A string field copied into out (size bytes). */
static bool get_string(struct reader *r, struct toml_value *tab, const char *key, char *out,
		       size_t size, int *line)
{
	struct toml_value *v = toml_get(tab, key);
	if (!v)
		return false;
	if (v->type != TOML_STRING) {
		wrong_type(r, key, v, "a string");
		return false;
	}
	if (strlen(v->s) >= size) {
		diag_add(r->dl, DIAG_ERROR, v->line, v->col, "[%s] %s: longer than %zu characters",
			 r->section, key, size - 1);
		r->failed = true;
		return false;
	}
	cv_strlcpy(out, v->s, size);
	if (line)
		*line = v->line;
	return true;
}

/* A path field, resolved against the config's directory unless absolute. */
static void get_path(struct reader *r, struct toml_value *tab, const char *key, struct cfg_path *p)
{
	char raw[CFG_PATH_MAX];
	if (!get_string(r, tab, key, raw, sizeof(raw), &p->line))
		return;
	struct toml_value *v = toml_find_kv(tab, key)->value;
	if (raw[0] == '\0') {
		diag_add(r->dl, DIAG_ERROR, v->line, v->col, "[%s] %s: empty path", r->section,
			 key);
		r->failed = true;
		return;
	}
	if (raw[0] == '/' || r->dirlen == 0) {
		cv_strlcpy(p->path, raw, sizeof(p->path));
	} else if (cv_snprintf(p->path, sizeof(p->path), "%s%s", r->dir, raw) >=
		   (int)sizeof(p->path)) {
		diag_add(r->dl, DIAG_ERROR, v->line, v->col, "[%s] %s: path too long", r->section,
			 key);
		r->failed = true;
		return;
	}
	p->set = true;
}

/* An array field; NULL if absent or of the wrong type. */
static struct toml_value *get_array(struct reader *r, struct toml_value *tab, const char *key)
{
	struct toml_value *v = toml_get(tab, key);
	if (v && v->type != TOML_ARRAY) {
		wrong_type(r, key, v, "an array");
		return NULL;
	}
	return v;
}

/*
 * Names end up in one-line reports ("cvisor: vm 3 (NAME) stopped: ...",
 * "emulated device 'NAME' is not known"): a control character in one is
 * refused. Returns false (and records the error) if v has one.
 */
static bool printable_name(struct reader *r, const char *what, const struct toml_value *v)
{
	for (const char *c = v->s; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			diag_add(r->dl, DIAG_ERROR, v->line, v->col,
				 "[%s] %s: a control character in a name", r->section, what);
			r->failed = true;
			return false;
		}
	}
	return true;
}

/* A name inside an array entry (a device name), copied into out (size bytes). */
static bool item_name(struct reader *r, const char *what, struct toml_value *item, char *out,
		      size_t size)
{
	if (item->type != TOML_STRING) {
		wrong_type(r, what, item, "a string");
		return false;
	}
	if (strlen(item->s) >= size) {
		diag_add(r->dl, DIAG_ERROR, item->line, item->col,
			 "[%s] %s: longer than %zu characters", r->section, what, size - 1);
		r->failed = true;
		return false;
	}
	if (!printable_name(r, what, item))
		return false;
	cv_strlcpy(out, item->s, size);
	return true;
}

/* Element i of an array must be an integer (what names it in messages). */
static bool item_u64(struct reader *r, const char *what, struct toml_value *item, uint64_t *out)
{
	if (item->type != TOML_INT) {
		wrong_type(r, what, item, "an integer");
		return false;
	}
	*out = (uint64_t)item->i;
	return true;
}

static void too_many(struct reader *r, const char *key, const struct toml_value *v, unsigned max)
{
	diag_add(r->dl, DIAG_ERROR, v->line, v->col, "[%s] %s: more than %u entries", r->section,
		 key, max);
	r->failed = true;
}

/* An array of integers (phys_cpu_ids, phys_cpu_sets). */
static void get_u64_list(struct reader *r, struct toml_value *tab, const char *key, uint64_t *out,
			 unsigned *n, unsigned max)
{
	struct toml_value *a = get_array(r, tab, key);
	if (!a)
		return;
	if (a->arr.n > max) {
		too_many(r, key, a, max);
		return;
	}
	for (unsigned i = 0; i < a->arr.n; i++)
		if (item_u64(r, key, a->arr.items[i], &out[i]))
			*n = i + 1;
}

/* Reports an entry of an array of arrays that does not have the expected shape. */
static void bad_entry(struct reader *r, const char *key, const struct toml_value *e,
		      const char *shape)
{
	diag_add(r->dl, DIAG_ERROR, e->line, e->col, "[%s] %s: each entry must be %s", r->section,
		 key, shape);
	r->failed = true;
}

/*
 * Checks that an entry of an array of arrays is an array of at least min
 * items. Callers stop at the first misshapen entry, so that a flat array
 * ([base, size, ...] without the outer brackets) gives one message, not one
 * per number.
 */
static bool entry_shape(struct reader *r, const char *key, struct toml_value *e, unsigned min,
			const char *shape)
{
	if (e->type != TOML_ARRAY || e->arr.n < min) {
		bad_entry(r, key, e, shape);
		return false;
	}
	return true;
}

/* ---- Sections ------------------------------------------------------------- */

static const char *const base_keys[] = {"id",           "name",          "vm_type", "cpu_num",
					"phys_cpu_ids", "phys_cpu_sets", "arch",    NULL};
static const char *const kernel_keys[] = {"entry_point",    "image_location",
					  "kernel_path",    "kernel_load_addr",
					  "dtb_path",       "dtb_load_addr",
					  "ramdisk_path",   "ramdisk_load_addr",
					  "bios_path",      "bios_load_addr",
					  "disk_path",      "cmdline",
					  "memory_regions", NULL};
static const char *const devices_keys[] = {"emu_devices",
					   "passthrough_devices",
					   "passthrough_addresses",
					   "excluded_devices",
					   "interrupt_mode",
					   "unmapped_access",
					   NULL};

static void read_base(struct reader *r, struct toml_value *t, struct vm_config *cfg)
{
	uint64_t v;
	char arch[32];

	r->section = "base";
	get_u64(r, t, "id", &cfg->id, NULL);
	if (get_string(r, t, "name", cfg->name, sizeof(cfg->name), NULL))
		printable_name(r, "name", toml_get(t, "name"));
	get_u64(r, t, "vm_type", &cfg->vm_type, NULL);
	if (get_ranged(r, t, "cpu_num", &v, 1, CFG_MAX_CPUS))
		cfg->cpu_num = (unsigned)v;
	get_u64_list(r, t, "phys_cpu_ids", cfg->phys_cpu_ids, &cfg->nphys_cpu_ids, CFG_MAX_CPUS);
	get_u64_list(r, t, "phys_cpu_sets", cfg->phys_cpu_sets, &cfg->nphys_cpu_sets, CFG_MAX_CPUS);
	if (get_string(r, t, "arch", arch, sizeof(arch), &cfg->arch_line)) {
		cfg->arch = cv_arch_from_name(arch);
		if (cfg->arch == ARCH_UNKNOWN) {
			struct toml_value *a = toml_find_kv(t, "arch")->value;
			diag_add(r->dl, DIAG_ERROR, a->line, a->col,
				 "[base] arch: unknown architecture \"%s\" (known: \"aarch64\", "
				 "\"riscv64\", \"x86_64\")",
				 arch);
			r->failed = true;
		}
	}
}

static void read_regions(struct reader *r, struct toml_value *t, struct vm_config *cfg)
{
	struct toml_value *a = get_array(r, t, "memory_regions");
	if (!a)
		return;
	for (unsigned i = 0; i < a->arr.n; i++) {
		struct toml_value *e = a->arr.items[i];
		if (cfg->nregions == CFG_MAX_REGIONS) {
			too_many(r, "memory_regions", a, CFG_MAX_REGIONS);
			return;
		}
		if (!entry_shape(r, "memory_regions", e, 4, "[base, size, flags, map_type]"))
			break;
		struct cfg_mem_region *m = &cfg->regions[cfg->nregions];
		uint64_t flags, map_type;
		if (!item_u64(r, "memory_regions", e->arr.items[0], &m->base) ||
		    !item_u64(r, "memory_regions", e->arr.items[1], &m->size) ||
		    !item_u64(r, "memory_regions", e->arr.items[2], &flags) ||
		    !item_u64(r, "memory_regions", e->arr.items[3], &map_type))
			continue;
		if (flags > 0xff) {
			struct toml_value *f = e->arr.items[2];
			diag_add(
			    r->dl, DIAG_ERROR, f->line, f->col,
			    "[kernel] memory_regions: flags 0x%llx out of range (1 read, 2 write, "
			    "4 execute, 8 device)",
			    (unsigned long long)flags);
			r->failed = true;
			continue;
		}
		if (map_type > CFG_MAP_RESERVED) {
			struct toml_value *mt = e->arr.items[3];
			diag_add(r->dl, DIAG_ERROR, mt->line, mt->col,
				 "[kernel] memory_regions: map_type %llu out of range (0 alloc, "
				 "1 identical, 2 reserved)",
				 (unsigned long long)map_type);
			r->failed = true;
			continue;
		}
		m->flags = (uint32_t)flags;
		m->map_type = (uint32_t)map_type;
		m->line = e->line;
		cfg->nregions++;
	}
}

static void read_kernel(struct reader *r, struct toml_value *t, struct vm_config *cfg)
{
	char loc[16];

	r->section = "kernel";
	get_addr(r, t, "entry_point", &cfg->entry_point);
	if (get_string(r, t, "image_location", loc, sizeof(loc), NULL)) {
		if (strcmp(loc, "fs") == 0) {
			cfg->image_location = IMAGE_FS;
		} else if (strcmp(loc, "memory") == 0) {
			cfg->image_location = IMAGE_MEMORY;
		} else {
			struct toml_value *v = toml_find_kv(t, "image_location")->value;
			diag_add(r->dl, DIAG_ERROR, v->line, v->col,
				 "[kernel] image_location: \"%s\" is neither \"fs\" nor \"memory\"",
				 loc);
			r->failed = true;
		}
	}
	get_path(r, t, "kernel_path", &cfg->kernel_path);
	get_addr(r, t, "kernel_load_addr", &cfg->kernel_load_addr);
	get_path(r, t, "dtb_path", &cfg->dtb_path);
	get_addr(r, t, "dtb_load_addr", &cfg->dtb_load_addr);
	get_path(r, t, "ramdisk_path", &cfg->ramdisk_path);
	get_addr(r, t, "ramdisk_load_addr", &cfg->ramdisk_load_addr);
	get_path(r, t, "bios_path", &cfg->bios_path);
	get_addr(r, t, "bios_load_addr", &cfg->bios_load_addr);
	get_path(r, t, "disk_path", &cfg->disk_path);
	get_string(r, t, "cmdline", cfg->cmdline, sizeof(cfg->cmdline), NULL);
	read_regions(r, t, cfg);
}

static void read_emu_devices(struct reader *r, struct toml_value *t, struct vm_config *cfg)
{
	struct toml_value *a = get_array(r, t, "emu_devices");
	if (!a)
		return;
	for (unsigned i = 0; i < a->arr.n; i++) {
		struct toml_value *e = a->arr.items[i];
		if (cfg->nemu_devices == CFG_MAX_DEVICES) {
			too_many(r, "emu_devices", a, CFG_MAX_DEVICES);
			return;
		}
		if (!entry_shape(r, "emu_devices", e, 5,
				 "[name, base_gpa, length, irq, emu_type, [config...]]"))
			break;
		struct cfg_emu_device *d = &cfg->emu_devices[cfg->nemu_devices];
		if (!item_name(r, "emu_devices name", e->arr.items[0], d->name, sizeof(d->name)))
			continue;
		if (!item_u64(r, "emu_devices", e->arr.items[1], &d->base) ||
		    !item_u64(r, "emu_devices", e->arr.items[2], &d->size) ||
		    !item_u64(r, "emu_devices", e->arr.items[3], &d->irq) ||
		    !item_u64(r, "emu_devices", e->arr.items[4], &d->type))
			continue;
		if (e->arr.n > 5) {
			struct toml_value *c = e->arr.items[5];
			if (c->type != TOML_ARRAY) {
				wrong_type(r, "emu_devices config", c, "an array");
				continue;
			}
			if (c->arr.n > CFG_MAX_DEV_CFG) {
				too_many(r, "emu_devices config", c, CFG_MAX_DEV_CFG);
				continue;
			}
			bool ok = true;
			for (unsigned j = 0; j < c->arr.n && ok; j++)
				ok = item_u64(r, "emu_devices config", c->arr.items[j], &d->cfg[j]);
			if (!ok)
				continue;
			d->ncfg = c->arr.n;
		}
		d->line = e->line;
		cfg->nemu_devices++;
	}
}

static void read_passthrough(struct reader *r, struct toml_value *t, struct vm_config *cfg)
{
	struct toml_value *a = get_array(r, t, "passthrough_devices");
	for (unsigned i = 0; a && i < a->arr.n; i++) {
		struct toml_value *e = a->arr.items[i];
		if (cfg->npt_devices == CFG_MAX_DEVICES) {
			too_many(r, "passthrough_devices", a, CFG_MAX_DEVICES);
			break;
		}
		/* AxVisor accepts a device-tree path alone, or a name with its range. */
		if (e->type != TOML_ARRAY || (e->arr.n != 1 && e->arr.n < 5)) {
			bad_entry(r, "passthrough_devices", e,
				  "[name] or [name, base_gpa, base_hpa, length, irq]");
			break;
		}
		struct cfg_pt_device *d = &cfg->pt_devices[cfg->npt_devices];
		if (!item_name(r, "passthrough_devices name", e->arr.items[0], d->name,
			       sizeof(d->name)))
			continue;
		if (e->arr.n >= 5) {
			if (!item_u64(r, "passthrough_devices", e->arr.items[1], &d->base_gpa) ||
			    !item_u64(r, "passthrough_devices", e->arr.items[2], &d->base_hpa) ||
			    !item_u64(r, "passthrough_devices", e->arr.items[3], &d->size) ||
			    !item_u64(r, "passthrough_devices", e->arr.items[4], &d->irq))
				continue;
			d->has_range = true;
		}
		d->line = e->line;
		cfg->npt_devices++;
	}

	a = get_array(r, t, "passthrough_addresses");
	for (unsigned i = 0; a && i < a->arr.n; i++) {
		struct toml_value *e = a->arr.items[i];
		if (cfg->npt_addrs == CFG_MAX_DEVICES) {
			too_many(r, "passthrough_addresses", a, CFG_MAX_DEVICES);
			break;
		}
		if (!entry_shape(r, "passthrough_addresses", e, 2, "[base_gpa, length]"))
			break;
		struct cfg_pt_addr *pa = &cfg->pt_addrs[cfg->npt_addrs];
		if (!item_u64(r, "passthrough_addresses", e->arr.items[0], &pa->base) ||
		    !item_u64(r, "passthrough_addresses", e->arr.items[1], &pa->size))
			continue;
		pa->line = e->line;
		cfg->npt_addrs++;
	}

	/* excluded_devices: [["/gic-v3"], ...] in AxVisor; plain strings are accepted too. */
	a = get_array(r, t, "excluded_devices");
	for (unsigned i = 0; a && i < a->arr.n; i++) {
		struct toml_value *e = a->arr.items[i];
		if (e->type == TOML_ARRAY && e->arr.n >= 1)
			e = e->arr.items[0];
		if (e->type != TOML_STRING) {
			wrong_type(r, "excluded_devices", e, "a string or [string]");
			continue;
		}
		if (cfg->nexcluded == CFG_MAX_DEVICES) {
			too_many(r, "excluded_devices", a, CFG_MAX_DEVICES);
			break;
		}
		if (item_name(r, "excluded_devices", e, cfg->excluded_devices[cfg->nexcluded],
			      sizeof(cfg->excluded_devices[0])))
			cfg->nexcluded++;
	}
}

static const char *const unmapped_names[] = {
    [UNMAPPED_STOP] = "stop",
    [UNMAPPED_ABORT] = "abort",
    [UNMAPPED_RAZ_WI] = "raz_wi",
};

const char *unmapped_access_name(enum unmapped_access u)
{
	return (unsigned)u < ARRAY_SIZE(unmapped_names) ? unmapped_names[u] : "?";
}

/* unmapped_access: one of unmapped_names; absent, the VM stops (UNMAPPED_STOP). */
static void read_unmapped(struct reader *r, struct toml_value *t, struct vm_config *cfg)
{
	char name[CFG_NAME_MAX];

	if (!get_string(r, t, "unmapped_access", name, sizeof(name), NULL))
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(unmapped_names); i++) {
		if (strcmp(name, unmapped_names[i]) == 0) {
			cfg->unmapped_access = (enum unmapped_access)i;
			return;
		}
	}
	struct toml_value *v = toml_find_kv(t, "unmapped_access")->value;
	diag_add(r->dl, DIAG_ERROR, v->line, v->col,
		 "[devices] unmapped_access: unknown value \"%s\" (known: \"stop\", \"abort\", "
		 "\"raz_wi\")",
		 name);
	r->failed = true;
}

static void read_devices(struct reader *r, struct toml_value *t, struct vm_config *cfg)
{
	r->section = "devices";
	read_emu_devices(r, t, cfg);
	read_passthrough(r, t, cfg);
	get_string(r, t, "interrupt_mode", cfg->interrupt_mode, sizeof(cfg->interrupt_mode), NULL);
	read_unmapped(r, t, cfg);
}

/* Warns about every key of tab that no reader asked for. */
static void warn_unknown(struct diag_list *dl, struct toml_value *tab, const char *section,
			 const char *const *known)
{
	for (unsigned i = 0; i < tab->tab.n; i++) {
		struct toml_kv *kv = &tab->tab.kvs[i];
		bool is_known = false;
		for (unsigned k = 0; known[k]; k++)
			if (strcmp(known[k], kv->key) == 0)
				is_known = true;
		if (is_known)
			continue;
		if (kv->value->type == TOML_TABLE)
			diag_add(dl, DIAG_WARNING, kv->line, kv->col,
				 "unknown table [%s.%s] (ignored)", section, kv->key);
		else
			diag_add(dl, DIAG_WARNING, kv->line, kv->col,
				 "unknown field '%s' in [%s] (ignored)", kv->key, section);
	}
}

int config_parse(const char *text, size_t len, const char *file, struct vm_config *cfg,
		 struct diag_list *dl)
{
	memset(cfg, 0, sizeof(*cfg));
	cv_strlcpy(cfg->file, file, sizeof(cfg->file));
	cfg->cpu_num = 1;
	if (dl->file[0] == '\0')
		cv_strlcpy(dl->file, file, sizeof(dl->file));

	struct toml_value *root = toml_parse(text, len, dl);
	if (!root)
		return -CV_EPARSE;

	/* The directory of file, with its trailing '/': "a/b/vm.toml" -> "a/b/". */
	char dir[CFG_PATH_MAX];
	size_t dirlen = 0;
	for (size_t i = 0; file[i]; i++)
		if (file[i] == '/')
			dirlen = i + 1;
	cv_strlcpy(dir, file, MIN(sizeof(dir), dirlen + 1));
	struct reader r = {.dl = dl, .dir = dir, .dirlen = strlen(dir)};

	static const struct {
		const char *name;
		void (*read)(struct reader *, struct toml_value *, struct vm_config *);
		const char *const *keys;
	} sections[] = {
	    {"base", read_base, base_keys},
	    {"kernel", read_kernel, kernel_keys},
	    {"devices", read_devices, devices_keys},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(sections); i++) {
		struct toml_value *t = toml_get(root, sections[i].name);
		if (!t)
			continue;
		if (t->type != TOML_TABLE) {
			diag_add(dl, DIAG_ERROR, t->line, t->col, "'%s' must be a table ([%s])",
				 sections[i].name, sections[i].name);
			r.failed = true;
			continue;
		}
		sections[i].read(&r, t, cfg);
		warn_unknown(dl, t, sections[i].name, sections[i].keys);
	}
	for (unsigned i = 0; i < root->tab.n; i++) {
		const struct toml_kv *kv = &root->tab.kvs[i];
		if (kv->used)
			continue;
		if (kv->value->type == TOML_TABLE)
			diag_add(dl, DIAG_WARNING, kv->line, kv->col,
				 "unknown table [%s] (ignored)", kv->key);
		else
			diag_add(dl, DIAG_WARNING, kv->line, kv->col,
				 "unknown field '%s' (ignored)", kv->key);
	}
	if (cfg->name[0] == '\0')
		cv_snprintf(cfg->name, sizeof(cfg->name), "vm%llu", (unsigned long long)cfg->id);
	toml_free(root);
	return r.failed ? -CV_EPARSE : 0;
}

/* ---- Validation ---------------------------------------------------------- */

static const struct cfg_mem_region *region_of(const struct vm_config *cfg, uint64_t addr)
{
	for (unsigned i = 0; i < cfg->nregions; i++) {
		const struct cfg_mem_region *m = &cfg->regions[i];
		if (addr >= m->base && addr - m->base < m->size)
			return m;
	}
	return NULL;
}

static unsigned check_path(const struct cfg_path *p, const char *key, config_file_exists_fn exists,
			   struct diag_list *dl)
{
	if (!p->set || !exists || exists(p->path))
		return 0;
	diag_add(dl, DIAG_ERROR, p->line, 0, "%s: no such file: %s", key, p->path);
	return 1;
}

static unsigned check_addr(const struct vm_config *cfg, const struct cfg_addr *a, const char *key,
			   struct diag_list *dl)
{
	if (!a->set || cfg->nregions == 0 || region_of(cfg, a->value))
		return 0;
	diag_add(dl, DIAG_ERROR, a->line, 0, "%s 0x%llx is outside every memory region", key,
		 (unsigned long long)a->value);
	return 1;
}

/* The last byte of a region, or false if it has no bytes or runs past the 64-bit space. */
static bool region_last(const struct cfg_mem_region *m, uint64_t *last)
{
	if (m->size == 0 || m->size - 1 > UINT64_MAX - m->base)
		return false;
	*last = m->base + (m->size - 1);
	return true;
}

/* Regions: not empty, page aligned, inside the address space, disjoint. */
static unsigned check_regions(const struct vm_config *cfg, struct diag_list *dl)
{
	unsigned problems = 0;
	uint64_t last, olast;

	for (unsigned i = 0; i < cfg->nregions; i++) {
		const struct cfg_mem_region *m = &cfg->regions[i];
		if (m->size == 0) {
			diag_add(dl, DIAG_ERROR, m->line, 0, "memory region %u has size 0", i);
			problems++;
			continue;
		}
		if (m->base % 4096 || m->size % 4096) {
			diag_add(
			    dl, DIAG_ERROR, m->line, 0,
			    "memory region %u [0x%llx, size 0x%llx] is not aligned to 4 KiB pages",
			    i, (unsigned long long)m->base, (unsigned long long)m->size);
			problems++;
		}
		if (!(m->flags & 1)) {
			diag_add(dl, DIAG_ERROR, m->line, 0,
				 "memory region %u: flags 0x%x do not let the guest read it "
				 "(1 read, 2 write, 4 execute, 8 device): RAM needs 1",
				 i, (unsigned)m->flags);
			problems++;
		}
		if (!region_last(m, &last)) {
			diag_add(dl, DIAG_ERROR, m->line, 0,
				 "memory region %u runs past the end of the 64-bit address space",
				 i);
			problems++;
			continue;
		}
		for (unsigned j = 0; j < i; j++) {
			const struct cfg_mem_region *o = &cfg->regions[j];
			if (!region_last(o, &olast) || m->base > olast || o->base > last)
				continue;
			diag_add(dl, DIAG_ERROR, m->line, 0,
				 "memory region %u [0x%llx-0x%llx] and region %u [0x%llx-0x%llx] "
				 "overlap",
				 j, (unsigned long long)o->base, (unsigned long long)olast, i,
				 (unsigned long long)m->base, (unsigned long long)last);
			problems++;
		}
	}
	return problems;
}

unsigned config_validate(const struct vm_config *cfg, config_file_exists_fn exists,
			 struct diag_list *dl)
{
	unsigned problems = 0;

	if (cfg->cpu_num < 1 || cfg->cpu_num > CFG_MAX_CPUS) {
		diag_add(dl, DIAG_ERROR, 0, 0, "cpu_num %u is out of range 1..%u", cfg->cpu_num,
			 CFG_MAX_CPUS);
		problems++;
	}
	if (cfg->nregions == 0) {
		diag_add(dl, DIAG_ERROR, 0, 0, "no memory_regions in [kernel]: a VM needs RAM");
		problems++;
	}
	problems += check_regions(cfg, dl);
	if (!cfg->kernel_path.set) {
		diag_add(dl, DIAG_ERROR, 0, 0, "no kernel_path in [kernel]: nothing to run");
		problems++;
	}
	problems += check_path(&cfg->kernel_path, "kernel_path", exists, dl);
	problems += check_path(&cfg->dtb_path, "dtb_path", exists, dl);
	problems += check_path(&cfg->ramdisk_path, "ramdisk_path", exists, dl);
	problems += check_path(&cfg->bios_path, "bios_path", exists, dl);
	problems += check_path(&cfg->disk_path, "disk_path", exists, dl);
	problems += check_addr(cfg, &cfg->entry_point, "entry_point", dl);
	problems += check_addr(cfg, &cfg->kernel_load_addr, "kernel_load_addr", dl);
	problems += check_addr(cfg, &cfg->dtb_load_addr, "dtb_load_addr", dl);
	problems += check_addr(cfg, &cfg->ramdisk_load_addr, "ramdisk_load_addr", dl);
	problems += check_addr(cfg, &cfg->bios_load_addr, "bios_load_addr", dl);
	/* A virtio-blk device serves the disk image (docs/virtio.md). */
	for (unsigned i = 0; i < cfg->nemu_devices; i++) {
		const struct cfg_emu_device *d = &cfg->emu_devices[i];
		if (strcmp(d->name, "virtio-blk") == 0 && !cfg->disk_path.set) {
			diag_add(dl, DIAG_ERROR, d->line, 0,
				 "emu_devices: virtio-blk needs a disk image: set disk_path in [kernel]");
			problems++;
		}
	}
	return problems;
}
