import { execFile } from 'node:child_process';

/**
 * The text of a PDF, page by page, as pdf.js (through pdf-parse) extracts it. pdf.js starts its worker with a
 * dynamic import, which jest's module sandbox refuses; so the extraction runs in a plain node child process
 * (the same node, the project's node_modules), given the PDF on stdin.
 */
const SCRIPT = `
const { PDFParse } = require('pdf-parse');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
  try {
    const info = await parser.getInfo();
    const r = await parser.getText();
    process.stdout.write(JSON.stringify({ pages: r.pages.map((p) => p.text), info: info.info }));
  } catch (e) {
    process.stderr.write(String(e && e.stack || e));
    process.exitCode = 1;
  } finally {
    await parser.destroy();
  }
});`;

export interface PdfText {
  pages: string[];
  /** The document information dictionary (Title, Author, CreationDate...). */
  info: Record<string, unknown>;
}

export function pdfText(pdf: Buffer): Promise<PdfText> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['-e', SCRIPT],
      { cwd: `${__dirname}/../..`, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`the PDF could not be read: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout) as PdfText);
      },
    );
    child.stdin?.end(pdf);
  });
}
