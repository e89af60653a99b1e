/*
 * fuzz_yaml.c - the YAML edge: pipectl.yaml (pc_config_parse) and table.yaml
 * (pc_table_yaml_parse, and the `adopt:` edit of import --write:
 * pc_table_yaml_set_adopt) on arbitrary bytes. Must never crash, leak or read
 * out of bounds; errors are fine.
 */
#include "model/model_internal.h"
#include "model/project.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pc_config *c = NULL;
	pc_table_yaml t;
	pc_vec secrets = PC_VEC_INIT;

	/* a few variables for ${...} interpolation to hit both paths */
	setenv("PC_FUZZ_SET", "value", 1);
	unsetenv("PIPECTL_TARGET");
	if (pc_config_parse(&c, ".", "pipectl.yaml", (const char *)data, size) == 0) {
		pc_config_secrets(c, &secrets);
		pc_vec_dispose(&secrets, NULL);
		/* every declared external is found by its name and by its base name */
		for (size_t i = 0; i < c->externals.len; i++) {
			const pc_external_cfg *x = c->externals.items[i];
			const char *dot = strrchr(x->name, '.');
			if (!pc_config_external(c, x->name) || (dot && !pc_config_external(c, dot + 1)))
				abort();
		}
		pc_config_free(c);
	}
	if (pc_table_yaml_parse(&t, "table.yaml", (const char *)data, size) == 0)
		pc_table_yaml_dispose(&t);
	{
		/* the edit either fails or yields a table.yaml that loads with the key set */
		char *out = NULL;
		if (!memchr(data, 0, size) &&
		    pc_table_yaml_set_adopt(&out, "table.yaml", (const char *)data, size, "dev-x-dml-t") == 0) {
			if (pc_table_yaml_parse(&t, "table.yaml", out, strlen(out)) < 0 || !t.adopt ||
			    strcmp(t.adopt, "dev-x-dml-t"))
				abort();
			pc_table_yaml_dispose(&t);
			free(out);
		}
	}
	return 0;
}
