"""An import-linter contract type for what the built-in ones cannot say: that some modules
never import named parts of an external package (import-linter forbids only whole external
packages, and a service may well use `django.db` but never `django.http`)."""

from importlinter import Contract, ContractCheck, fields, output


class ForbiddenExternalSubmodulesContract(Contract):
    """`source_modules` (and their descendants) never import, directly, any of
    `forbidden_modules`: dotted names inside external packages, such as `django.http`."""

    source_modules = fields.ListField(subfield=fields.ModuleField())
    forbidden_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose):
        broken = []
        for source in self.source_modules:
            importers = {source.name} | graph.find_descendants(source.name)
            for importer in sorted(importers):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    for detail in graph.get_import_details(importer=importer, imported=imported):
                        line = detail["line_contents"]
                        if any(self._names(line, name) for name in self.forbidden_modules):
                            broken.append((importer, detail["line_number"], line))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    @staticmethod
    def _names(line, module):
        """Whether an import statement names `module` or a module inside it."""
        words = line.replace(",", " ").split()
        if words[:1] == ["from"] and len(words) > 1:
            return words[1] == module or words[1].startswith(module + ".")
        return any(w == module or w.startswith(module + ".") for w in words[1:])

    def render_broken_contract(self, check):
        for importer, line_number, line in check.metadata["broken"]:
            output.print_error(f"{importer}:{line_number}: {line}", bold=False)
            output.new_line()
