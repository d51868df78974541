import { ApiProperty } from '@nestjs/swagger';

export class TusUploadView {
  @ApiProperty({ type: String, format: 'uuid', description: 'The upload; also the id of the evidence item it becomes' })
  uploadId: string;

  @ApiProperty({ type: String, format: 'uuid' })
  caseId: string;

  @ApiProperty({ type: Number, description: 'Upload-Length: the file size in bytes' })
  uploadLength: number;

  @ApiProperty({ type: String, description: 'The upload URL for HEAD / PATCH / DELETE (also the Location header)' })
  location: string;
}
