/*
 * fuzz_yaml.c - the YAML edge: pipectl.yaml (pc_config_parse) and table.yaml
 * (pc_table_yaml_parse) on arbitrary bytes. Must never crash, leak or read
 * out of bounds; errors are fine.
 */
#include "model/model_internal.h"
#include "model/project.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

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
		pc_config_free(c);
	}
	if (pc_table_yaml_parse(&t, "table.yaml", (const char *)data, size) == 0)
		pc_table_yaml_dispose(&t);
	return 0;
}
